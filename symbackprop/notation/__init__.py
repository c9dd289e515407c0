r"""Course LaTeX -> SymPy over the engine's symbols, in a declared notation, with no silent misreads.

One relation about a network (``\delta^{(L-1)} = (W^{(L-1)})^T(\hat y - y) \odot \varphi'(z^{(L-1)})``) is read into
SymPy matrices built from :func:`symbackprop.network.graph` symbols. Anything outside the vocabulary of the
claim's notation profile is a :class:`~symbackprop.errors.NotationError` naming the token and its position, with
the rewrite when one is certain.

The pipeline, one module per stage:

========================  ===============================================================================
:mod:`.lexer`             text -> tokens (Unicode mapped), TeX's grouping and spacing rules
:mod:`.normalize`         the tolerance stage: delimiters, alignment, sizing, styles, macros, trailing prose
:mod:`.literals`          numeric literals through latex2sympy2 (isolated, cross-checked)
:mod:`.profiles`          notation profiles and the presets of the sources (Nielsen, CS231n, deeplearning.ai,
                          d2l, Bishop, Goodfellow, UFLDL)
:mod:`.parser`            the grammar (one method per production; :mod:`.letters`, :mod:`.layers`, :mod:`.commands`,
                          :mod:`.scripted`)
:mod:`.nodes`             the tree's leaves; :mod:`.algebra` operations; :mod:`.functions`; :mod:`.derivatives`
:mod:`.evaluate`          instances at an assignment, walked against an allow-list
:mod:`.program`           a claim with its givens: names, the scalar rule, layers, read_as; :mod:`.words` its words
========================  ===============================================================================

latex2sympy2 reads only numeric literals (:mod:`.literals`); no eval/exec/sympify/parse_expr is applied to
user text; Symbols are only the graph's and scalar variables whose names we build ourselves.

Readings fixed here (each pinned by tests/test_notation.py and tests/test_profiles.py): precedence relation <
``+ -`` < ``\odot`` < ``\otimes`` < juxtaposition/``\cdot`` (matrix product, order kept; a 1x1 factor scales) <
postfix < primary; ``^{(…)}`` a layer in the default notation; indices by what a quantity is (W two, vectors
one); TeX's own rules (one token after an unbraced ^ _ \frac; one superscript and one subscript per atom;
``\left``/``\right`` pairs); component indices in ``Side.quantity`` are 0-based, an ``Instance``'s assignment is
1-based as written.
"""
from .evaluate import Instance, Side
from .functions import MAX_SUM_TERMS
from .literals import numeric_literal
from .parser import MAX_EXPONENT
from .profiles import PRESETS, Profile, load_profile, parse_preamble, profile
from .program import ParsedClaim, check_network, parse_claim, parse_expression

__all__ = ["Side", "Instance", "ParsedClaim", "parse_claim", "parse_expression", "MAX_EXPONENT", "MAX_SUM_TERMS",
           "numeric_literal", "Profile", "PRESETS", "profile", "load_profile", "parse_preamble", "check_network"]
