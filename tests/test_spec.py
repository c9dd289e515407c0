"""Derivation files: good files fill defaults exactly; every bad file gets a located SpecError."""
from dataclasses import fields
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.errors import SpecError
from symbackprop.network import Network
from symbackprop.spec import MAX_BYTES, MAX_CLAIMS, NETWORK_READERS, ClaimSpec, DerivationSpec, load_spec, load_spec_text

NET = "network:\n  sizes: [3, 4, 3]\n"
ONE = "claims:\n  - id: a\n    claim: 'x = 1'\n"


def write(tmp_path, text, name="d.yaml") -> Path:
    """Write ``text`` (str or bytes) to a file in tmp_path."""
    p = tmp_path / name
    (p.write_bytes if isinstance(text, bytes) else p.write_text)(text)
    return p


# ----------------------------------------------------------------------------------------------
# good files: (name, text, check(spec))

GOOD = [
    ("defaults", NET + ONE, lambda s: (
        s.title is None and s.network == Network((3, 4, 3))
        and s.claims == (ClaimSpec("a", "x = 1", (), True, None, 4),))),
    ("title-and-note", "title: Ex 4\n" + NET + "claims:\n  - {id: a.b_c-1, claim: y, note: free text}\n",
     lambda s: s.title == "Ex 4" and s.claims[0].id == "a.b_c-1" and s.claims[0].note == "free text"),
    ("given-string", NET + "claims:\n  - id: a\n    given: 'z_1 \\le 0'\n    claim: 'a_1 = 0'\n",
     lambda s: s.claims[0].given == ("z_1 \\le 0",)),
    ("given-list", NET + "claims:\n  - id: a\n    given: ['z_1 \\le 0', 'z_2 > 0']\n    claim: c\n",
     lambda s: s.claims[0].given == ("z_1 \\le 0", "z_2 > 0")),
    ("given-empty-list", NET + "claims:\n  - {id: a, given: [], claim: c}\n", lambda s: s.claims[0].given == ()),
    ("expect-false", NET + "claims:\n  - {id: a, claim: c, expect: false}\n  - {id: b, claim: c}\n",
     lambda s: [c.expect for c in s.claims] == [False, True]),
    ("expect-yaml-no", NET + "claims:\n  - {id: a, claim: c, expect: no}\n", lambda s: s.claims[0].expect is False),
    ("all-network-fields",
     "network:\n  sizes: [2, 3, 1]\n  activation: tanh\n  output: sigmoid\n  loss: bce\n  weights: incoming\n" + ONE,
     lambda s: s.network == Network((2, 3, 1), "tanh", "sigmoid", "bce", weights="incoming")),
    ("relu-prime-at-zero", "network:\n  sizes: [2, 2]\n  relu_prime_at_zero: 0.5\n" + ONE,
     lambda s: s.network.relu_prime_at_zero == Fraction(1, 2)),
    ("slope-decimal-exact",
     "network:\n  sizes: [2, 2]\n  activation: leaky_relu\n  negative_slope: 0.12345678901234567890\n" + ONE,
     lambda s: s.network.negative_slope == Fraction("0.12345678901234567890")),
    ("slope-exponent", "network:\n  sizes: [2, 2]\n  activation: leaky_relu\n  negative_slope: 1.0e-2\n" + ONE,
     lambda s: s.network.negative_slope == Fraction(1, 100)),
    ("slope-fraction-string", "network:\n  sizes: [2, 2]\n  activation: leaky_relu\n  negative_slope: '1/3'\n"
     + ONE, lambda s: s.network.negative_slope == Fraction(1, 3)),
    ("block-scalar-stripped", NET + "claims:\n  - id: a\n    claim: |\n      x\n      = 1\n",
     lambda s: s.claims[0].claim == "x\n= 1"),
    ("line-numbers", "# c\n" + NET + "claims:\n\n  - id: a\n    claim: c\n  - id: b\n    claim: c\n",
     lambda s: [c.line for c in s.claims] == [6, 8]),
    ("bom", "\ufefftitle: t\n" + NET + ONE, lambda s: s.title == "t"),
    ("unicode", "title: Übung 4 — δ\n" + NET + "claims:\n  - {id: a, claim: 'δ = ŷ - y'}\n",
     lambda s: s.title == "Übung 4 — δ" and s.claims[0].claim == "δ = ŷ - y"),
]


@pytest.mark.parametrize("name,text,check", GOOD, ids=[g[0] for g in GOOD])
def test_good_file(tmp_path, name, text, check):
    path = write(tmp_path, text.encode("utf-8"))
    spec = load_spec(path)
    assert isinstance(spec, DerivationSpec) and spec.path == str(path)
    assert check(spec)
    assert load_spec_text(text, "x.yaml") == DerivationSpec("x.yaml", spec.title, spec.network, spec.claims)


def test_shipped_derivations_load():
    root = Path(__file__).resolve().parent.parent / "derivations"
    files = sorted(root.rglob("*.yaml"))
    assert files
    for f in files:
        spec = load_spec(f)
        assert spec.claims and len({c.id for c in spec.claims}) == len(spec.claims)


def test_every_network_field_can_be_written():
    assert set(NETWORK_READERS) == {f.name for f in fields(Network)}


def test_specs_are_frozen_and_hashable():
    spec = load_spec_text(NET + ONE)
    with pytest.raises(AttributeError):
        spec.claims[0].id = "b"
    assert hash(spec) == hash(load_spec_text(NET + ONE))


# ----------------------------------------------------------------------------------------------
# bad files: (name, text, key, claim, fragment of the message, line or None)

MANY = NET + "claims:\n" + "".join(f"  - {{id: c{i}, claim: x}}\n" for i in range(MAX_CLAIMS + 1))
BAD = [
    ("unknown-top-key", "titel: t\n" + NET + ONE, "titel", None, "did you mean 'title'", 1),
    ("unknown-network-key", "network:\n  sizes: [2, 2]\n  activaton: relu\n" + ONE,
     "network.activaton", None, "did you mean 'activation'", 3),
    ("missing-network", ONE, "network", None, "missing required key 'network'", None),
    ("missing-claims", NET, "claims", None, "missing required key 'claims'", None),
    ("missing-sizes", "network:\n  activation: relu\n" + ONE, "network.sizes", None, "needs 'sizes'", 2),
    ("sizes-scalar", "network:\n  sizes: 3\n" + ONE, "network.sizes", None, "must be a list", 2),
    ("sizes-string-entry", "network:\n  sizes: [3, '4', 3]\n" + ONE, "network.sizes", None,
     "sizes[1] must be an integer", 2),
    ("sizes-float-entry", "network:\n  sizes: [3, 4.5]\n" + ONE, "network.sizes", None, "sizes[1]", 2),
    ("sizes-bool-entry", "network:\n  sizes:\n    - 3\n    - yes\n" + ONE, "network.sizes", None, "boolean", 4),
    ("sizes-too-short", "network:\n  sizes: [3]\n" + ONE, "network.sizes", None, "at least two", 2),
    ("sizes-huge-int", "network:\n  sizes: [3, " + "9" * 5000 + "]\n" + ONE, None, None, "invalid value", None),
    ("title-number", "title: 2024\n" + NET + ONE, "title", None, "must be a string", 1),
    ("unknown-activation", "network:\n  sizes: [2, 2]\n  activation: swish\n" + ONE, "network.activation",
     None, "unknown activation 'swish'", 3),
    ("activation-null", "network:\n  sizes: [2, 2]\n  activation:\n" + ONE, "network.activation", None,
     "nothing (null)", 3),
    ("bad-head", "network:\n  sizes: [2, 2]\n  output: tanh\n" + ONE, "network.loss", None,
     "not supported", 2),
    ("slope-without-leaky", "network:\n  sizes: [2, 2]\n  negative_slope: 0.2\n" + ONE,
     "network.negative_slope", None, "leaky_relu only", 3),
    ("slope-inf", "network:\n  sizes: [2, 2]\n  activation: leaky_relu\n  negative_slope: .inf\n" + ONE,
     "network.negative_slope", None, "must be a number", 4),
    ("slope-bool", "network:\n  sizes: [2, 2]\n  activation: leaky_relu\n  negative_slope: on\n" + ONE,
     "network.negative_slope", None, "boolean true", 4),
    ("network-list", "network: [3, 4]\n" + ONE, "network", None, "must be a mapping", 1),
    ("claims-mapping", NET + "claims:\n  a: c\n", "claims", None, "must be a list", 3),
    ("claims-empty", NET + "claims: []\n", "claims", None, "claims is empty", 3),
    ("too-many-claims", MANY, "claims", None, "the limit is 500", 3),
    ("yaml-syntax", NET + "claims: [\n", None, None, "invalid YAML", None),
    ("yaml-tab", NET + ONE + "\t- id: b\n", None, None, "invalid YAML", 6),
    ("yaml-two-documents", NET + ONE + "---\n" + NET, None, None, "invalid YAML", 6),
    ("duplicate-key", NET + ONE + NET, None, None, "duplicate key 'network' (first given at line 1)", 6),
    ("duplicate-claim-key", NET + "claims:\n  - {id: a, claim: c, claim: d}\n", None, None,
     "duplicate key 'claim'", 4),
    ("anchor", "x: &lol [a, a]\n" + NET + ONE, None, None, "anchors (&name) are not allowed", 1),
    ("alias-bomb", 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a]\nc: [*b,*b,*b]\n', None, None, "not allowed", 1),
    ("merge-key", "network:\n  <<: {sizes: [2, 2]}\n" + ONE, None, None, "merge keys", 2),
    ("python-tag", "title: !!python/object/apply:os.system ['echo pwned']\n" + NET + ONE, None, None,
     "invalid YAML", 1),
    ("deep-nesting", "title: " + "[" * 200 + "]" * 200 + "\n" + NET + ONE, None, None, "nesting deeper", 1),
    ("nul-char", NET + ONE + "# \x00\n", None, None, "U+0000 is not allowed at column 3", 6),
    ("empty", "", None, None, "empty file", None),
    ("only-comments", "# nothing here\n\n", None, None, "empty file", None),
    ("top-list", "- a\n- b\n", None, None, "must be a mapping", 1),
    ("top-scalar", "hello\n", None, None, "must be a mapping", None),
]


# ----------------------------------------------------------------------------------------------
# bad claim entries: (name, text, key, error claim's id, fragment of the message, line). Each is that
# claim's error only: a good claim after it still loads, and check_spec reports the error verdict.

GOOD_AFTER = "  - {id: zz-good, claim: '\\varphi(0) = 0'}\n"
BAD_CLAIMS = [
    ("unknown-claim-key", NET + "claims:\n  - id: a\n    claim: c\n    expected: false\n",
     "expected", "a", "did you mean 'expect'", 6),
    ("duplicate-id", NET + "claims:\n  - {id: a, claim: c}\n  - {id: a, claim: d}\n", "id", "#2",
     "duplicate claim id 'a' (first used at line 4); give each", 5),
    ("missing-id", NET + "claims:\n  - {id: a, claim: c}\n  - {claim: d}\n", "id", "#2", "no 'id'", 5),
    ("missing-claim", NET + "claims:\n  - {id: a, given: g}\n", "claim", "a", "no 'claim'", 4),
    ("claim-number", NET + "claims:\n  - {id: a, claim: 42}\n", "claim", "a", "an integer 42", 4),
    ("claim-list", NET + "claims:\n  - {id: a, claim: [x, y]}\n", "claim", "a", "must be a string", 4),
    ("claim-empty", NET + "claims:\n  - {id: a, claim: '  '}\n", "claim", "a", "empty", 4),
    ("claim-too-long", NET + f"claims:\n  - {{id: a, claim: '{'x' * 10_001}'}}\n", "claim", "a",
     "10001 characters", 4),
    ("expect-string", NET + "claims:\n  - {id: a, claim: c, expect: 'false'}\n", "expect", "a",
     "true or false", 4),
    ("expect-int", NET + "claims:\n  - {id: a, claim: c, expect: 0}\n", "expect", "a", "an integer 0", 4),
    ("id-yes", NET + "claims:\n  - {id: yes, claim: c}\n", "id", "#1", "boolean true", 4),
    ("id-number", NET + "claims:\n  - {id: 12, claim: c}\n", "id", "#1", "an integer 12", 4),
    ("id-spaces", NET + "claims:\n  - {id: my claim, claim: c}\n", "id", "#1", "letters, digits", 4),
    ("given-number", NET + "claims:\n  - {id: a, claim: c, given: 3}\n", "given", "a", "list of strings", 4),
    ("given-list-number", NET + "claims:\n  - id: a\n    claim: c\n    given:\n      - ok\n      - 5\n",
     "given", "a", "must be a string", 8),
    ("note-number", NET + "claims:\n  - {id: a, claim: c, note: 5}\n", "note", "a", "must be a string", 4),
    ("claim-not-mapping", NET + "claims:\n  - 'x = 1'\n", "claims", "#1", "must be a mapping", 4),
]


def _assert_located(err, path, key, claim, fragment, line):
    assert err.file == str(path)
    assert err.key == key
    assert err.claim_id == claim
    text = str(err)
    assert fragment in text
    assert text.startswith(str(path) + ": ")
    assert "Traceback" not in text and "\n" not in err.one_line()
    if claim is not None:
        assert f"claim {claim!r}" in text
    if line is not None:
        assert err.line == line and f"(line {line})" in text


@pytest.mark.parametrize("name,text,key,claim,fragment,line", BAD, ids=[b[0] for b in BAD])
def test_bad_file(tmp_path, name, text, key, claim, fragment, line):
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    _assert_located(info.value, path, key, claim, fragment, line)


BAD_BYTES = [
    ("not-utf8", (NET + ONE).encode() + b"# caf\xe9\n", "not valid UTF-8: byte 0xe9", 6),
    ("utf16", (NET + ONE).encode("utf-16"), "UTF-16", None),
    ("too-big", b"claims: [" + b" " * MAX_BYTES + b"]", "limited to 1048576 bytes", None),
]


@pytest.mark.parametrize("name,data,fragment,line", BAD_BYTES, ids=[b[0] for b in BAD_BYTES])
def test_bad_bytes(tmp_path, name, data, fragment, line):
    path = write(tmp_path, data)
    for load in (lambda: load_spec(path), lambda: load_spec_text(data, str(path))):
        with pytest.raises(SpecError) as info:
            load()
        _assert_located(info.value, path, None, None, fragment, line)


def _error_claim(spec, cid):
    (c,) = [c for c in spec.claims if c.id == cid]
    assert c.error is not None
    return c


@pytest.mark.parametrize("name,text,key,claim,fragment,line", BAD_CLAIMS, ids=[b[0] for b in BAD_CLAIMS])
def test_bad_claim_entry_is_that_claims_error(tmp_path, name, text, key, claim, fragment, line):
    path = write(tmp_path, text + GOOD_AFTER)
    spec = load_spec(path)
    bad = _error_claim(spec, claim)
    assert bad.error.startswith(f"{path}: claim {claim!r}: key {key!r}: ")
    assert fragment in bad.error and bad.error.endswith(f"(line {line})") and "\n" not in bad.error
    assert bad.line is not None and bad.line <= line
    (good,) = [c for c in spec.claims if c.id == "zz-good"]
    assert good.error is None and good.claim == "\\varphi(0) = 0"
    assert len({c.id for c in spec.claims}) == len(spec.claims)


def test_bad_claim_entries_are_error_verdicts_and_the_rest_is_checked():
    from symbackprop.suite import check_spec
    text = NET + ("claims:\n  - {id: empty, claim: ''}\n  - {id: good, claim: '\\varphi(0) = 0'}\n"
                  "  - {id: listed, claim: [a, b]}\n  - {id: good, claim: '\\varphi(0) = 0'}\n"
                  "  - {id: wrong, claim: '\\varphi(0) = 1', expect: false}\n  - {id: k, claim: x, colour: red}\n"
                  "  - {id: 'bad id', claim: x}\n")
    spec = load_spec_text(text, "f.yaml")
    report = check_spec(spec, inline=True)
    got = [(r.id, r.verdict) for r in report.results]
    assert got == [("empty", "error"), ("good", "proved"), ("listed", "error"), ("#4", "error"),
                   ("wrong", "refuted"), ("k", "error"), ("#7", "error")]
    msgs = {r.id: r.message for r in report.results}
    assert msgs["empty"] == "f.yaml: claim 'empty': key 'claim': claim is empty (line 4)"
    assert "duplicate claim id 'good' (first used at line 5)" in msgs["#4"]
    assert "unknown key 'colour'" in msgs["k"] and "(line 9)" in msgs["k"]
    assert "letters, digits" in msgs["#7"]
    assert not report.ok and sum(r.as_expected for r in report.results) == 2


def test_a_bad_entry_reusing_an_earlier_id_is_a_duplicate():
    spec = load_spec_text(NET + "claims:\n  - {id: a, claim: x}\n  - {id: a, claim: ''}\n", "f.yaml")
    assert [c.id for c in spec.claims] == ["a", "#2"]
    assert spec.claims[0].error is None and "duplicate claim id 'a'" in spec.claims[1].error


def test_missing_file_and_directory(tmp_path):
    for path, fragment in ((tmp_path / "nope.yaml", "no such file"), (tmp_path, "is a directory")):
        with pytest.raises(SpecError) as info:
            load_spec(path)
        _assert_located(info.value, path, None, None, fragment, None)


def test_oversized_text_is_refused_before_parsing():
    text = "x: [" * (MAX_BYTES // 4 + 1)
    with pytest.raises(SpecError, match="limited to") as info:
        load_spec_text(text, "big.yaml")
    assert "invalid YAML" not in str(info.value)


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"title: !!python/object/apply:os.system ['touch {marker}']\n" + NET + ONE
    with pytest.raises(SpecError):
        load_spec_text(text)
    assert not marker.exists()


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text(max_size=200))
def test_arbitrary_text_loads_or_raises_spec_error(text):
    try:
        spec = load_spec_text(NET + text)
    except SpecError as err:
        assert err.file == "<string>" and err.one_line()
    else:
        assert spec.claims


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
                    max_leaves=20))
def test_arbitrary_claim_values_load_or_raise_spec_error(value):
    import yaml
    doc = {"network": {"sizes": [2, 2]}, "claims": [{"id": "a", "claim": value}]}
    try:
        spec = load_spec_text(yaml.safe_dump(doc, allow_unicode=True))
    except SpecError as err:
        assert err.key is None           # only the YAML budget can fail the whole file
        return
    (c,) = spec.claims
    if isinstance(value, str) and value.strip() and len(value) <= 10_000:
        assert c.error is None and c.claim == value.strip()
    else:
        assert c.id == "a" and c.error.startswith("<string>: claim 'a': key 'claim': ")


# ----------------------------------------------------------------------------------------------
# file intake: regular files only, never blocked by a FIFO, links refusable, size cap before reading


def _within(seconds, fn, unblock=None):
    """fn() run in a thread, which must finish within ``seconds`` (then its result or exception)."""
    import threading
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as e:          # the test inspects whatever fn raised
            box["error"] = e
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        if unblock:
            unblock()
        t.join(5)
        pytest.fail(f"still running after {seconds} s (blocked)")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _open_writer(fifo):
    """Unblock a reader stuck in open() of ``fifo`` (a writer appears, then leaves: EOF)."""
    import os
    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_fifo_is_refused_without_blocking(tmp_path):
    import os
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SpecError) as info:
        _within(5, lambda: load_spec(fifo), unblock=lambda: _open_writer(fifo))
    _assert_located(info.value, fifo, None, None, "is a FIFO (named pipe), not a regular file", None)


def test_device_and_socket_are_refused(tmp_path):
    import os
    import socket
    link = tmp_path / "zero.yaml"
    os.symlink("/dev/zero", link)
    with pytest.raises(SpecError) as info:
        _within(5, lambda: load_spec(link))
    _assert_located(info.value, link, None, None, "is a character device, not a regular file", None)
    sock_path = tmp_path / "s.yaml"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        with pytest.raises(SpecError, match="is a socket, not a regular file"):
            load_spec(sock_path)
    finally:
        sock.close()


SECRET = "top-secret-marker-5c1f9a"


@pytest.fixture
def secret(tmp_path):
    """A file outside the folder whose content would be echoed by a YAML error (an unknown key)."""
    p = tmp_path / "outside" / "config"
    p.parent.mkdir()
    p.write_text(f"{SECRET}: hunter2\n")
    return p


def test_links_are_followed_by_default_and_refused_on_request(tmp_path, secret):
    import os
    folder = tmp_path / "subs"
    folder.mkdir()
    link = folder / "a.yaml"
    os.symlink(secret, link)
    with pytest.raises(SpecError) as followed:          # check: the user named this link
        load_spec(link)
    assert SECRET in str(followed.value)                  # (the user's own file: its key is quoted)
    with pytest.raises(SpecError) as refused:
        load_spec(link, follow_links=False)
    _assert_located(refused.value, link, None, None, "is a symbolic link; links are not followed", None)
    assert SECRET not in str(refused.value) and str(secret) not in str(refused.value)
    inner = folder / "b.yaml"
    inner.write_text(NET + ONE)
    os.symlink("b.yaml", folder / "c.yaml")
    assert load_spec(folder / "c.yaml").claims == load_spec(inner).claims
    with pytest.raises(SpecError, match="symbolic link"):
        load_spec(folder / "c.yaml", follow_links=False)


def test_oversized_file_is_refused_before_reading(tmp_path):
    import time
    sparse = tmp_path / "huge.yaml"
    with open(sparse, "wb") as f:
        f.truncate(1 << 40)                               # 1 TiB, sparse: reading it would never end
    start = time.process_time()
    with pytest.raises(SpecError) as info:
        load_spec(sparse)
    assert time.process_time() - start < 1
    _assert_located(info.value, sparse, None, None, f"file is {1 << 40} bytes; derivation files are limited "
                                                    f"to {MAX_BYTES} bytes (1 MiB)", None)


def test_non_utf8_and_control_character_names_are_rendered_printable(tmp_path):
    import json
    import os
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9\r\n=x\x1b[2J.yaml"
    with open(raw, "w") as f:
        f.write(NET + ONE)
    name = os.fsdecode(raw)
    spec = load_spec(name)
    assert spec.path == str(tmp_path) + "/caf\\xe9\\x0d\\x0a=x\\x1b[2J.yaml"
    json.dumps({"file": spec.path}, ensure_ascii=False).encode("utf-8")      # no lone surrogates
    os.unlink(raw)
    with open(raw, "w") as f:
        f.write(NET + "claims: [\n")
    with pytest.raises(SpecError) as info:
        load_spec(name)
    line = info.value.one_line()
    assert line.startswith(spec.path + ": invalid YAML") and "\r" not in line and "\x1b" not in line
    line.encode("utf-8")


# ----------------------------------------------------------------------------------------------
# YAML budget: hostile files end fast with a clear error (before the budget: 28 s and 410 MB for 1 MiB)

BOMBS = [
    ("flat-scalars", "title: [" + "a," * ((MAX_BYTES - 20) // 2) + "]\n", "more than 20000 YAML values"),
    ("flat-lists", "title: [" + "[]," * ((MAX_BYTES - 20) // 3) + "]\n", "more than 20000 YAML values"),
    ("flat-maps", "title: [" + "{a: 1}," * ((MAX_BYTES - 20) // 7) + "]\n", "more than 20000 YAML values"),
    ("nested-flow-seq", "title: " + "[" * (MAX_BYTES // 2 - 10) + "]" * (MAX_BYTES // 2 - 10) + "\n",
     "nesting deeper than 32"),
    ("nested-flow-map", "title: " + "{a: " * ((MAX_BYTES - 20) // 4) + "}\n", "nesting deeper than 32"),
    ("nested-block-seq", "title:\n" + "- " * ((MAX_BYTES - 20) // 2) + "x\n", "nesting deeper than 32"),
    ("billion-laughs", "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
     + "".join(f"{k}: &{k} [{', '.join([f'*{j}'] * 9)}]\n" for j, k in zip("abcdefgh", "bcdefghi")),
     "anchors (&name) are not allowed"),
    ("alias-without-anchor", NET + "claims: *x\n", "aliases (*name) are not allowed"),
]


@pytest.mark.parametrize("name,text,fragment", BOMBS, ids=[b[0] for b in BOMBS])
def test_hostile_yaml_ends_fast_with_a_clear_error(tmp_path, name, text, fragment):
    import time
    path = write(tmp_path, text)
    start = time.process_time()
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert time.process_time() - start < 2.0
    _assert_located(info.value, path, None, None, fragment, None)


def test_a_large_legitimate_file_is_within_the_budget():
    claims = "".join(f"  - id: c{i}\n    claim: 'x = {i}'\n    given: ['u > 0', 'v < 1']\n    note: n\n"
                     for i in range(MAX_CLAIMS))
    spec = load_spec_text(NET + "claims:\n" + claims)
    assert len(spec.claims) == MAX_CLAIMS and all(c.error is None for c in spec.claims)
