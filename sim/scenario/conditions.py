"""The condition language of section 5.2: a tokenizer and a recursive-descent parser.

Grammar::

    expr    := or
    or      := and ("or" and)*
    and     := unary ("and" unary)*
    unary   := "not" unary | primary
    primary := "(" expr ")" | "true" | "false"
             | TRACK ("==" | "!=") STATE
             | TRACK ["not"] "in" "[" STATE ("," STATE)* "]"

Nothing is ever evaluated as Python. Errors carry the 0-based offset inside the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sim.errors import did_you_mean, shorten
from sim.model.conditions import And, Condition, Const, Not, Or, Test

__all__ = ["KEYWORDS", "ConditionError", "parse_condition"]

MAX_NESTING = 50
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "any"})
_TOKEN = re.compile(r"\s*(?:(==|!=)|([()\[\],])|([A-Za-z_][A-Za-z0-9_]*)|(\S))")


class ConditionError(ValueError):
    """A condition cannot be parsed or names unknown tracks or states.

    Attributes
    ----------
    offset : int
        0-based position in the condition text.
    """

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        kind = "op" if m.group(1) else "punct" if m.group(2) else "word" if m.group(3) else "bad"
        value = m.group(m.lastindex)
        start = m.start(m.lastindex)
        if kind == "bad":
            hint = " (use '==' for equality)" if value in "=<>!" else ""
            raise ConditionError(
                f"unexpected character '{shorten(value)}' in condition{hint}", start
            )
        out.append((kind, value, start))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str, tracks: Mapping[str, Sequence[str]]):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.tracks = tracks
        self.track_index = {t: k for k, t in enumerate(tracks)}
        self.depth = 0

    def peek(self):
        return self.toks[self.i]

    def take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, value: str, what: str):
        tok = self.take()
        if tok[1] != value or tok[0] == "end":
            found = "the end of the condition" if tok[0] == "end" else f"'{tok[1]}'"
            raise ConditionError(f"expected {what}, found {found}", tok[2])
        return tok

    def parse(self) -> Condition:
        node = self.or_()
        tok = self.peek()
        if tok[0] != "end":
            raise ConditionError(
                f"unexpected '{tok[1]}'; join conditions with 'and' or 'or'", tok[2]
            )
        return node

    def or_(self) -> Condition:
        args = [self.and_()]
        while self.peek()[1] == "or" and self.peek()[0] == "word":
            self.take()
            args.append(self.and_())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def and_(self) -> Condition:
        args = [self.unary()]
        while self.peek()[1] == "and" and self.peek()[0] == "word":
            self.take()
            args.append(self.unary())
        return args[0] if len(args) == 1 else And(tuple(args))

    def unary(self) -> Condition:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ConditionError(
                f"condition nested more than {MAX_NESTING} levels deep (parentheses or 'not'); "
                "simplify it",
                self.peek()[2],
            )
        try:
            if self.peek()[0] == "word" and self.peek()[1] == "not":
                self.take()
                return Not(self.unary())
            return self.primary()
        finally:
            self.depth -= 1

    def state(self, track: str) -> int:
        kind, value, at = self.take()
        if kind != "word" or value in KEYWORDS:
            found = "the end of the condition" if kind == "end" else f"'{shorten(value)}'"
            raise ConditionError(f"expected a state of track '{track}', found {found}", at)
        states = self.tracks[track]
        if value not in states:
            raise ConditionError(
                f"track '{track}' has no state '{shorten(value)}' (states: "
                f"{', '.join(states)}){did_you_mean(value, states)}",
                at,
            )
        return list(states).index(value)

    def primary(self) -> Condition:
        kind, value, at = self.take()
        if kind == "punct" and value == "(":
            node = self.or_()
            self.expect(")", "')'")
            return node
        if kind == "word" and value in ("true", "false"):
            return Const(value == "true")
        if kind != "word" or value in KEYWORDS:
            found = "the end of the condition" if kind == "end" else f"'{shorten(value)}'"
            raise ConditionError(
                f"expected a track name, 'not', 'true', 'false' or '(', found {found}", at
            )
        if value not in self.track_index:
            raise ConditionError(
                f"unknown track '{shorten(value)}'{did_you_mean(value, self.tracks)}", at
            )
        track = value
        t = self.track_index[track]
        kind2, op, at2 = self.take()
        if op in ("==", "!="):
            s = self.state(track)
            test = Test(t, frozenset({s}))
            return test if op == "==" else Not(test)
        negate = False
        if kind2 == "word" and op == "not":
            negate = True
            kind2, op, at2 = self.take()
        if kind2 == "word" and op == "in":
            self.expect("[", "'[' after 'in'")
            states = {self.state(track)}
            while self.peek()[1] == ",":
                self.take()
                states.add(self.state(track))
            self.expect("]", "']' or ','")
            test = Test(t, frozenset(states))
            return Not(test) if negate else test
        found = "the end of the condition" if kind2 == "end" else f"'{op}'"
        raise ConditionError(
            f"expected '==', '!=', 'in' or 'not in' after track '{track}', found {found}", at2
        )


def parse_condition(text: str, tracks: Mapping[str, Sequence[str]]) -> Condition:
    """Parse and resolve a condition.

    Parameters
    ----------
    text : str
        The condition as written, e.g. ``"us_posture in [withdrawn, kurdistan_only]"``.
    tracks : mapping of track id -> sequence of state ids
        In file order; indices in the result refer to these orders.

    Returns
    -------
    Condition

    Raises
    ------
    ConditionError
        Syntax error, or an unknown track or state; ``offset`` points into ``text``.
    """
    if isinstance(text, bool):
        return Const(text)
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition is text such as 'track == state'", 0)
    return _Parser(text, tracks).parse()
