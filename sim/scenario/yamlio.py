"""Safe YAML 1.2 reading with positions.

The file is composed into a node graph by ruamel.yaml (composition builds no Python objects, so
no tag can run code), the graph is measured (alias expansion included) before anything is
built, and then converted into plain Python values by this module's own rules:

* YAML 1.2 core schema: only ``true``/``false`` are booleans (``no``, ``on`` stay strings);
* bare ISO dates become :class:`datetime.date`;
* any tag outside the core schema (``!!python/object``, ``!custom``) is an error;
* a duplicate key is an error;
* mapping keys are kept as the text written.

Every value's position is kept in a :class:`Positions` table keyed by its path.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from sim.errors import Problem, ScenarioError, shorten
from sim.scenario.textchecks import MAX_LINE, check_text

__all__ = ["MAX_BYTES", "MAX_LINE", "MAX_NODES", "Document", "Positions", "read_yaml"]

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Pos:
    """1-based line and column of a value, and its YAML scalar style (``'``, ``"``, ``|`` or None)."""

    line: int
    column: int
    style: str | None = None


@dataclass
class Positions:
    """Where each value (and each mapping key) of a document was written.

    ``values[path]`` is the position of the value at ``path``; ``keys[path]`` the position of
    the key that introduces it. Paths are tuples of mapping keys (str) and list indices (int).
    """

    values: dict[Path, Pos] = field(default_factory=dict)
    keys: dict[Path, Pos] = field(default_factory=dict)

    def of(self, path: Path, *, key: bool = False) -> Pos | None:
        """Position of ``path`` (of its key when ``key``), else of the nearest enclosing value."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return table[p]
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), Pos(1, 1))


@dataclass
class Document:
    """A YAML document as plain Python values, with positions and the file's name and text."""

    data: Any
    positions: Positions
    file: str
    text: str
    sha256: str = ""


def _fail(file: str, message: str, line: int | None = None, column: int | None = None):
    raise ScenarioError([Problem(file, line, column, message)])


def read_yaml(raw: bytes, file: str, kind: str = "scenario") -> Document:
    """Read YAML bytes into plain values with positions.

    Parameters
    ----------
    raw : bytes
        The file's content; must be UTF-8 text of at most :data:`MAX_BYTES` bytes.
    file : str
        The name used in messages.
    kind : str
        ``"scenario"`` or ``"evidence"``: what the file should be, for messages.

    Returns
    -------
    Document

    Raises
    ------
    ScenarioError
        The text is too big, not UTF-8, not YAML, uses unsafe tags, repeats a key, or expands
        (through aliases) to more than :data:`MAX_NODES` nodes.
    """
    text = _decode(raw, file, kind)
    if not text.strip():
        _empty(file, kind)
    check_text(text, file)
    node = _compose(text, file)
    if node is None:
        _empty(file, kind)
    _measure(node, file)
    positions = Positions()
    data = _convert(node, (), positions, file, 0)
    return Document(data, positions, file, text)


def _decode(raw: bytes, file: str, kind: str) -> str:
    """The file's text: at most MAX_BYTES of UTF-8 without NUL bytes, a leading BOM removed."""
    if len(raw) > MAX_BYTES:
        _fail(file, f"file is {len(raw):,} bytes; {kind} files are capped at {MAX_BYTES:,} bytes")
    if b"\x00" in raw:
        _fail(file, "file is binary (contains NUL bytes), not YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        _fail(
            file,
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}, perhaps Latin-1 or Windows-1252); "
            "save it as UTF-8 text",
            line,
            column,
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _compose(text: str, file: str) -> Node | None:
    """The YAML 1.2 node graph of ``text`` (no Python objects built); None for no document."""
    yaml = YAML(typ="rt", pure=True)
    yaml.version = (1, 2)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            node = yaml.compose(io.StringIO(text))
        for w in caught:  # ruamel.yaml's multi-line warnings, as one-line errors
            if not issubclass(w.category, ResourceWarning):  # an unrelated object collected
                _warned(w.message, file)
        return node
    except MarkedYAMLError as exc:
        msg, mark = _syntax_message(exc, text)
        _fail(
            file,
            f"not valid YAML: {msg}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
    except ReaderError as exc:
        if isinstance(exc.character, int) and isinstance(exc.position, int):
            line = text.count("\n", 0, exc.position) + 1
            column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
            _fail(
                file,
                f"character U+{exc.character:04X} is not allowed in YAML text (a control or "
                "non-character code point); remove it",
                line,
                column,
            )
        _fail(file, f"not valid YAML: {' '.join(str(exc).split())}")
    except YAMLError as exc:
        _fail(file, f"not valid YAML: {' '.join(str(exc).split())}")
    except RecursionError:
        _fail(file, "not valid YAML: nesting is too deep")


_REUSED = re.compile(
    r"duplicate anchor '(?P<name>[^']*)'.*?line (?P<l1>\d+), column \d+.*?"
    r"line (?P<l2>\d+), column (?P<c2>\d+)",
    re.S,
)


def _warned(warning: Warning, file: str):
    """A warning ruamel.yaml issued while composing, raised as one located error."""
    m = _REUSED.search(str(warning))
    if m:
        _fail(
            file,
            f"anchor '&{m['name']}' is defined again (first at line {m['l1']}); give each "
            f"anchor its own name (an alias '*{m['name']}' would only see the last one)",
            int(m["l2"]),
            int(m["c2"]),
        )
    _fail(file, f"not valid YAML: {' '.join(str(warning).split())}")


def _syntax_message(exc: MarkedYAMLError, text: str) -> tuple[str, Any]:
    """A YAML syntax error in plain words with a hint, and the mark (0-based) to point at."""
    mark = exc.problem_mark or exc.context_mark
    context = exc.context
    if (
        context
        and exc.context_mark is not None
        and exc.problem_mark is not None
        and exc.context_mark.line != exc.problem_mark.line
    ):
        context += f" (begun at line {exc.context_mark.line + 1})"
    msg = " ".join(s for s in (context, exc.problem) if s).replace("\n", " ")
    problem = str(exc.problem)
    if (
        exc.context_mark is not None
        and exc.context
        and ("<stream end>" in problem or "end of stream" in problem)
    ):
        # An unclosed [, { or quote: point at where it was opened.
        mark = exc.context_mark
        what = re.sub(r"^while (parsing|scanning) (a |an )?", "", exc.context)
        what = _UNCLOSED.get(what, what)
        msg = f"this {what} is never closed (the file ends first); close it"
    if "<block end>" in msg:
        msg += "; check the indentation of this line"
    if "mapping values are not allowed here" in msg:
        msg += "; quote a value that contains ': ', or check the indentation"
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]:
        msg += "; tabs are not allowed for indentation in YAML, use spaces"
    if "flow mapping" in msg and ("'['" in msg or "','" in msg):
        msg += (
            '; a condition with [, ] or , inside {...} must be quoted, e.g. {when: "g in [a, b]"}'
        )
    return msg, mark


_UNCLOSED = {
    "flow sequence": "'[' list",
    "flow mapping": "'{' mapping",
    "quoted scalar": "quoted text",
}


def _empty(file: str, kind: str):
    if kind == "evidence":
        _fail(file, "file is empty (no YAML document); an evidence file needs the key 'evidence'")
    _fail(
        file,
        "file is empty (no YAML document); a scenario needs at least 'scenario', 'start', "
        "'horizon', 'tracks', 'events' and 'outcomes'",
    )


def _measure(root: Node, file: str) -> None:
    """Count the nodes of the expanded document without expanding it; refuse bombs and cycles."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            if isinstance(node, MappingNode):
                total = 1 + sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            elif isinstance(node, SequenceNode):
                total = 1 + sum(sizes[id(v)] for v in node.value)
            else:
                total = 1
            if total > MAX_NODES:
                m = node.start_mark
                _fail(
                    file,
                    f"document expands to more than {MAX_NODES:,} nodes (aliases "
                    "included); scenario files are capped there",
                    m.line + 1,
                    m.column + 1,
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            m = node.start_mark
            _fail(file, "recursive alias: a node contains itself", m.line + 1, m.column + 1)
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, MappingNode):
            children = [c for pair in node.value for c in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:
            children = []
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _pos(node: Node) -> Pos:
    style = getattr(node, "style", None) if isinstance(node, ScalarNode) else None
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1, style)


def _convert(node: Node, path: Path, positions: Positions, file: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        p = _pos(node)
        _fail(file, f"nesting deeper than {MAX_DEPTH} levels", p.line, p.column)
    positions.values[path] = _pos(node)
    tag = str(node.tag.value if hasattr(node.tag, "value") else node.tag)
    if isinstance(node, MappingNode):
        if tag != _CORE + "map":
            _bad_tag(node, tag, file)
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode):
                p = _pos(knode)
                _fail(
                    file,
                    "a mapping key must be a plain word, not a list or mapping",
                    p.line,
                    p.column,
                )
            ktag = str(knode.tag.value if hasattr(knode.tag, "value") else knode.tag)
            if ktag == _CORE + "merge":
                p = _pos(knode)
                _fail(
                    file,
                    "merge keys ('<<') are not supported; write the keys out",
                    p.line,
                    p.column,
                )
            key = _text(knode, str(knode.value), file)
            if key in out:
                p = _pos(knode)
                first = positions.keys[path + (key,)]
                _fail(
                    file,
                    f"duplicate key '{key}' (first written at line {first.line}); "
                    "remove or rename one",
                    p.line,
                    p.column,
                )
            positions.keys[path + (key,)] = _pos(knode)
            out[key] = _convert(vnode, path + (key,), positions, file, depth + 1)
        return out
    if isinstance(node, SequenceNode):
        if tag != _CORE + "seq":
            _bad_tag(node, tag, file)
        return [
            _convert(v, path + (i,), positions, file, depth + 1) for i, v in enumerate(node.value)
        ]
    return _scalar(node, tag, file, path)


def _key_of(path: Path) -> str:
    """`` (key 'events[2].at')`` for messages; empty for the document itself."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    return f" (key '{shorten(text)}')" if text else ""


def _bad_tag(node: Node, tag: str, file: str):
    p = _pos(node)
    shown = tag.replace(_CORE, "!!")
    _fail(
        file,
        f"tag '{shown}' is not allowed: scenario files are plain data (no tags that "
        "build objects); remove the tag",
        p.line,
        p.column,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(node: Node, value: str, file: str) -> str:
    """Join escaped UTF-16 surrogate pairs (``"\\ud83d\\ude00"``, as JSON writes them) into
    their character; refuse a lone surrogate, which is not a character."""
    if not _SURROGATE.search(value):
        return value
    try:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        p = _pos(node)
        _fail(
            file,
            "text holds an escaped lone UTF-16 surrogate (such as \\ud800), which is not a "
            "character; write the character itself",
            p.line,
            p.column,
        )


def _scalar(node: ScalarNode, tag: str, file: str, path: Path = ()) -> Any:
    value = node.value
    if getattr(node, "style", None) == ">":
        value = value.replace("\a", "")  # ruamel marks the folds of '>' scalars with BEL
    kind = tag[len(_CORE) :] if tag.startswith(_CORE) else None
    if kind == "str":
        return _text(node, value, file)
    if kind == "null":
        return None
    if kind == "bool":
        return value.lower() == "true"
    if kind == "int":
        digits = value.replace("_", "")
        if len(digits) > 100:
            p = _pos(node)
            _fail(
                file,
                f"number {value[:20]}... is too long; write at most 100 digits",
                p.line,
                p.column,
            )
        try:
            return int(digits, 0)
        except ValueError:
            try:
                return int(digits)  # 1.2 core allows leading zeros ("012" is 12)
            except ValueError:
                return value
    if kind == "float":
        v = value.replace("_", "").lower()
        if v in (".inf", "+.inf"):
            return float("inf")
        if v == "-.inf":
            return float("-inf")
        if v == ".nan":
            return float("nan")
        try:
            f = float(v)
        except ValueError:
            return value
        return value if math.isinf(f) else f  # 1e400 stays as written, for messages
    if kind == "timestamp":
        if _DATE_RE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                p = _pos(node)
                _fail(
                    file,
                    f"'{shorten(value)}' is not a calendar date{_key_of(path)}; write YYYY-MM-DD with a "
                    "month from 01 to 12 and a day that month has",
                    p.line,
                    p.column,
                )
        return value  # date-times stay text; the schema rejects them where a date is expected
    _bad_tag(node, tag, file)
