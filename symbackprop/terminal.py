"""The terminal side of the command line: colour, progress lines and the streamed text of ``check``.

Colour and progress come from rich (a maintained terminal library) instead of hand-written escape codes:

- colour only on a terminal, never with ``NO_COLOR`` set (non-empty) or ``TERM=dumb``; ``FORCE_COLOR`` forces
  it.  Text written to a pipe or a file is plain, byte for byte the text of :mod:`report`.
- the progress line (bar, done/total, what, time left; the rate for ``grade``) only when stderr is a
  terminal, drawn by rich's live display; ``check`` erases it before printing a claim on stdout and at
  the end, so the terminal is left with the report only.  A terminal that went away (SIGHUP) turns the
  progress line off, never the run.
- user text reaches the terminal only through :func:`report.terminal_safe` (escape sequences, C0/C1
  controls, bidi overrides): rich itself strips only BEL, BS, VT, FF and CR and passes ESC through.
"""
from __future__ import annotations

import json

from .report import terminal_safe

__all__ = ["color", "ProgressLine", "CheckStream", "print_check"]

# rich is imported where a console or a progress line is made, not with this module: ``check --format json``
# makes neither, text to a pipe only a console; rich.console + rich.progress cost about 30 ms to import.


def _console(stream):
    from rich.console import Console
    return Console(file=stream, highlight=False, soft_wrap=True)


def color(stream) -> bool:
    """Whether text written to ``stream`` gets colour (rich's terminal detection and NO_COLOR)."""
    c = _console(stream)
    return bool(c.is_terminal and c.color_system is not None and not c.no_color)


def _rate_column():
    """Items per second since the start ('' before the first one is done)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task):
            elapsed = task.elapsed or 0
            return Text(f"{task.completed / elapsed:.2f}/s" if task.completed and elapsed > 0 else "")
    return Rate()


def _left_column():
    """'about 40 s left' from the pace since the start (claims differ in cost: a rough guide, never a
    promise); '' before the first item and at the end."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Left(ProgressColumn):
        def render(self, task):
            done, total, elapsed = task.completed, task.total, task.elapsed or 0
            if not total or not 0 < done < total or elapsed <= 0:
                return Text("")
            left = elapsed / done * (total - done)
            return Text(f"about {left:.0f} s left" if left < 120 else f"about {left / 60:.0f} min left",
                        style="cyan")
    return Left()


class ProgressLine:
    """A progress line redrawn in place on a terminal: ``━━━━╸━━━ 3/10 what about 12 s left`` (rich).

    ``show(done, total, what)`` draws it (starting the live display if needed), ``clear()`` erases it
    until the next ``show``; ``close()`` ends it (erased with ``transient``, else left as the last line).
    An error writing (the terminal is gone) turns it off: the methods then return None, else self."""

    def __init__(self, stream, transient=True, rate=False, clock=None):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
        columns = [BarColumn(bar_width=20), MofNCompleteColumn(), TextColumn("{task.description}")]
        columns += [_rate_column()] if rate else []
        columns.append(_left_column())
        self.progress = Progress(*columns, console=_console(stream), transient=transient, auto_refresh=False,
                                 redirect_stdout=False, redirect_stderr=False, **({"get_time": clock} if clock else {}))
        self.task, self.live = None, False

    def _do(self, fn):
        try:
            fn()
        except (OSError, ValueError):
            return None
        return self

    def show(self, done, total, what):
        what = terminal_safe(what)[:60]

        def draw():
            if self.task is None:
                self.task = self.progress.add_task(what, total=total or None, completed=done)
            self.progress.update(self.task, completed=done, total=total or None, description=what)
            if not self.live:
                self.progress.start()
                self.live = True
            self.progress.refresh()
        return self._do(draw)

    def clear(self):
        if not self.live:
            return self
        self.live = False
        return self._do(self.progress.stop)

    close = clear


def grade_progress(stream, clock=None):
    """``progress(done, total, name)`` for ``grade``: the submission being graded, submissions per second and
    the time left; the line stays (with a line break) when every submission is done."""
    line = ProgressLine(stream, transient=False, rate=True, clock=clock)

    def show(done, total, name):
        nonlocal line
        if line is not None:
            line = line.show(done, total, name)
        if line is not None and done >= total:
            line = line.close()
    return show


class CheckStream:
    """``check``'s text output as the claims are decided: each claim is printed once every claim before
    it (in file order) is printed, so the text is the same as printed at the end, only sooner.  On a
    terminal's stderr a progress line (claims decided / claims, time left) is redrawn in place and erased
    before anything is printed on stdout, and at the end."""

    def __init__(self, specs, only, out, err, short=False, verbose=False):
        from .report import FileError
        from .suite import selected_claims
        self.specs, self.out, self.color = specs, out, color(out)
        self.short, self.verbose = short, verbose
        self.claims = [[] if isinstance(spec, FileError) else selected_claims(spec, only) for spec in specs]
        self.results = [[None] * len(c) for c in self.claims]
        self.total, self.decided = sum(len(c) for c in self.claims), 0
        self.file, self.claim, self.width = 0, 0, None
        self.bar = ProgressLine(err) if err.isatty() else None

    def start(self):
        self._flush()

    def add(self, f, k, result):
        """A decided claim (``on_result`` of check_specs)."""
        if self.results[f][k] is None:
            self.decided += 1
        self.results[f][k] = result
        self._flush()

    def finish(self, reports):
        """Print what is left, taking the results still missing from ``reports`` (an interrupted run);
        the reports as printed."""
        for f, rep in enumerate(reports):
            for k, r in enumerate(getattr(rep, "results", ())):
                if self.results[f][k] is None:
                    self.results[f][k] = r
        self.decided = self.total
        self._flush(end=True)
        from .report import FileError, cross_summary
        from .suite import FileReport
        items = [spec if isinstance(spec, FileError) else FileReport(spec, tuple(rs))
                 for spec, rs in zip(self.specs, self.results)]
        if len(items) > 1 and not self.short:
            self._print(["", cross_summary(items, self.color)])
        return items

    def _print(self, lines, end=False):
        if self.bar is not None and (lines or end):
            self.bar = self.bar.clear()
        if lines:
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()

    def _lines_of_file(self, f, spec):
        from .report import FileError, check_short, check_text_claim, check_text_head, check_text_width, \
            file_error_text, short_line
        lines = []
        if isinstance(spec, FileError):
            lines += check_short(spec) if self.short else file_error_text(spec, self.color).split("\n")
            self.claim = len(self.claims[f])
        elif self.width is None and not self.short:
            self.width = check_text_width(c.id for c in self.claims[f])
            lines += check_text_head(spec, self.color)
        while self.claim < len(self.claims[f]) and self.results[f][self.claim] is not None:
            r = self.results[f][self.claim]
            lines += [short_line(spec, r)] if self.short else check_text_claim(r, self.width, self.color, self.verbose)
            self.claim += 1
        return lines

    def _flush(self, end=False):
        from .report import FileError, check_text_summary
        from .suite import FileReport
        lines = []
        while self.file < len(self.specs):
            f, spec = self.file, self.specs[self.file]
            lines += self._lines_of_file(f, spec)
            if self.claim < len(self.claims[f]):
                break
            if not self.short and not isinstance(spec, FileError):
                lines.append(check_text_summary(FileReport(spec, tuple(self.results[f])), self.color))
            self.file, self.claim, self.width = f + 1, 0, None
            if self.file < len(self.specs) and not self.short:
                lines.append("")
        self._print(lines, end)
        if self.bar is not None and not end:
            self.bar = self.bar.show(self.decided, self.total, "claims decided")


def print_check(items, fmt, verbose, out, version=None):
    """The whole output of ``check`` at the end (JSON, TeX; text and short when not streamed)."""
    from .report import check_document, check_short, cross_summary, render_check_text
    if fmt == "json":
        print(json.dumps(check_document(items, version), indent=2, ensure_ascii=False), file=out)
    elif fmt == "tex":
        from .export import export_report
        print(export_report(items), file=out)
    elif fmt == "short":
        lines = [ln for it in items for ln in check_short(it)]
        if lines:
            print("\n".join(lines), file=out)
    else:
        on = color(out)
        text = "\n\n".join(render_check_text(r, on, verbose) for r in items)
        if len(items) > 1:
            text += "\n\n" + cross_summary(items, on)
        print(text, file=out)
