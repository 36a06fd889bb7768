"""Reading documents (JSONL, text, HTML, PDF, DOCX) and splitting them into policy items.

A cabinet-meeting summary (สรุปข่าวการประชุมคณะรัฐมนตรี) opens with a numbered table of contents
("1. เรื่อง ...") and then repeats the numbers with each resolution's full text; every
resolution is one policy item, and the table of contents is dropped. Any other document is one
item. Items keep their character offsets in the document's text. Problems with the input
(undecodable bytes, empty or oversized documents, corrupt files, duplicate ids) are collected
as ``InputProblem`` values naming the file, so the rest of the input is still analysed.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prasan.core.thai import to_arabic_digits

MAX_DOC_CHARS = 2_000_000  # ~2 MB of Thai text; longer documents are cut with a warning
SUPPORTED = (
    ".jsonl",
    ".jsonl.gz",
    ".json",
    ".txt",
    ".text",
    ".md",
    ".html",
    ".htm",
    ".pdf",
    ".docx",
)


@dataclass
class Document:
    id: str
    text: str
    title: str = ""
    date: str = ""
    agency: str = ""
    url: str = ""
    lang: str = ""
    source: str = ""


@dataclass
class Item:
    """One policy item: a span of a document."""

    id: str
    doc: str
    start: int
    end: int
    text: str
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InputProblem:
    file: str
    problem: str
    doc: str = ""
    fatal: bool = False  # True when nothing of that file/document was analysed

    def __str__(self) -> str:
        where = f"{self.file}" + (f" [{self.doc}]" if self.doc else "")
        return f"{where}: {self.problem}"


def decode(data: bytes, file: str, problems: list[InputProblem], doc: str = "") -> str:
    """UTF-8 first; Thai legacy files are usually TIS-620/cp874, so try that before giving up."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text = data.decode("cp874")
        problems.append(
            InputProblem(
                file,
                f"not UTF-8 (bad byte at offset {first_bad}); read it as Thai TIS-620/cp874 "
                "instead: save the file as UTF-8 to be sure",
                doc,
            )
        )
        return text
    except UnicodeDecodeError:
        problems.append(
            InputProblem(
                file,
                f"not UTF-8 (bad byte at offset {first_bad}) nor TIS-620; undecodable bytes "
                "were replaced by U+FFFD: save the file as UTF-8",
                doc,
            )
        )
        return data.decode("utf-8", errors="replace")


def _jsonl_docs(path: Path, problems: list[InputProblem]) -> Iterator[Document]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        fh = opener(path, "rb")
        with fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                where = f"{path}:{lineno}"
                line = decode(raw, where, problems)
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    problems.append(
                        InputProblem(where, f"not valid JSON ({exc.msg}): line skipped", fatal=True)
                    )
                    continue
                if not isinstance(obj, dict):
                    problems.append(
                        InputProblem(where, "not a JSON object: line skipped", fatal=True)
                    )
                    continue
                text = obj.get("text")
                doc_id = str(obj.get("id") or f"{path.stem}-{lineno}")
                if not isinstance(text, str):
                    problems.append(
                        InputProblem(
                            where, 'no "text" string field: document skipped', doc_id, fatal=True
                        )
                    )
                    continue
                yield Document(
                    id=doc_id,
                    text=text,
                    title=str(obj.get("title") or ""),
                    date=str(obj.get("date") or ""),
                    agency=str(obj.get("agency") or ""),
                    url=str(obj.get("url") or ""),
                    lang=str(obj.get("lang") or ""),
                    source=where,
                )
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        problems.append(InputProblem(str(path), f"cannot read the file ({exc}): rest skipped"))


def _html_text(data: str) -> tuple[str, str]:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(data)
    for node in tree.css("script, style, noscript"):
        node.decompose()
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    body = tree.body or tree.root
    text = body.text(separator="\n") if body is not None else ""
    text = re.sub(r"\n\s*\n+", "\n", text)
    return title, text.strip()


def _pdf_text(data: bytes) -> str:
    import logging

    from pypdf import PdfReader

    # pypdf logs its own complaints about broken files; ours (InputProblem) names the file
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def _file_doc(path: Path, problems: list[InputProblem]) -> Document | None:
    name = path.name.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(
            InputProblem(str(path), f"cannot read the file ({exc.strerror})", fatal=True)
        )
        return None
    title = ""
    try:
        if name.endswith(".pdf"):
            text = _pdf_text(data)
        elif name.endswith(".docx"):
            text = _docx_text(data)
        elif name.endswith((".html", ".htm")):
            title, text = _html_text(decode(data, str(path), problems))
        else:
            text = decode(data, str(path), problems)
    except Exception as exc:  # pypdf/python-docx raise many types for broken files
        kind = "PDF" if name.endswith(".pdf") else "DOCX" if name.endswith(".docx") else "file"
        problems.append(
            InputProblem(
                str(path),
                f"corrupt or unreadable {kind} ({type(exc).__name__}: {exc}): file skipped; "
                "check that it opens in a viewer, or export it again",
                fatal=True,
            )
        )
        return None
    return Document(id=path.stem, text=text, title=title, source=str(path))


def expand_inputs(inputs: Iterable[str | Path], problems: list[InputProblem]) -> list[Path]:
    paths: list[Path] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            paths.extend(
                sorted(
                    f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(SUPPORTED)
                )
            )
        elif p.is_file():
            paths.append(p)
        else:
            problems.append(InputProblem(str(p), "no such file or directory", fatal=True))
    return paths


def read_documents(
    inputs: Iterable[str | Path],
    problems: list[InputProblem],
    *,
    max_chars: int = MAX_DOC_CHARS,
    seen_ids: set[str] | None = None,
) -> Iterator[Document]:
    """Every document in the inputs, checked: empty ones dropped, huge ones cut, ids made unique."""
    seen: set[str] = set() if seen_ids is None else seen_ids
    for path in expand_inputs(inputs, problems):
        name = path.name.lower()
        if name.endswith((".jsonl", ".jsonl.gz", ".json")):
            docs: Iterable[Document] = _jsonl_docs(path, problems)
        elif name.endswith(SUPPORTED) or "." not in name:
            one = _file_doc(path, problems)
            docs = [one] if one else []
        else:
            problems.append(
                InputProblem(
                    str(path),
                    f"unsupported file type; use one of {', '.join(SUPPORTED)}",
                    fatal=True,
                )
            )
            continue
        for doc in docs:
            yield from _checked(doc, path, problems, max_chars, seen)


def _checked(
    doc: Document, path: Path, problems: list[InputProblem], max_chars: int, seen: set[str]
) -> Iterator[Document]:
    where = doc.source or str(path)
    if not doc.text.strip():
        problems.append(
            InputProblem(where, "empty document (no text): skipped", doc.id, fatal=True)
        )
        return
    if len(doc.text) > max_chars:
        mb = len(doc.text.encode("utf-8")) / 1e6
        problems.append(
            InputProblem(
                where,
                f"document is {mb:.1f} MB, over the {max_chars:,}-character limit: only the "
                "first part was analysed; split it into smaller documents to analyse all of it",
                doc.id,
            )
        )
        doc.text = doc.text[:max_chars]
    if doc.id in seen:
        n = 2
        while f"{doc.id}~{n}" in seen:
            n += 1
        new = f"{doc.id}~{n}"
        problems.append(
            InputProblem(
                where,
                f"duplicate document id {doc.id!r}: analysed as {new!r}; give every document "
                "its own id",
                doc.id,
            )
        )
        doc.id = new
    seen.add(doc.id)
    if "\ufffd" in doc.text and not doc.lang:
        doc.lang = "th"
    yield doc


# -- splitting ------------------------------------------------------------------------------

_MARKER = re.compile(r"(?m)^[ \t\u00a0]*([0-9๐-๙]{1,3})[ \t\u00a0]*\.[ \t\u00a0]*เรื่อง")
MIN_ITEM_CHARS = 200  # a table-of-contents entry is shorter than any resolution's body


def split_items(doc: Document) -> list[Item]:
    """Policy items of one document; numbered cabinet resolutions become one item each."""
    text = doc.text
    markers = [(m.start(), int(to_arabic_digits(m.group(1)))) for m in _MARKER.finditer(text)]
    if len(markers) >= 3:
        # group markers into runs of increasing numbers; a restart begins a new run
        runs: list[list[tuple[int, int]]] = [[markers[0]]]
        for mk in markers[1:]:
            if mk[1] <= runs[-1][-1][1]:
                runs.append([])
            runs[-1].append(mk)
        bounds = [pos for pos, _ in markers] + [len(text)]
        length = {pos: bounds[i + 1] - pos for i, pos in enumerate(bounds[:-1])}
        kept = [
            run
            for run in runs
            if len(run) == 1 or statistics.median(length[p] for p, _ in run) >= MIN_ITEM_CHARS
        ]
        starts = [mk for run in kept for mk in run]
        if len(starts) >= 2:
            items: list[Item] = []
            used: set[str] = set()
            for pos, num in starts:
                # an item ends at the next marker, kept or not (a dropped run bounds it too)
                end = next((b for b in bounds if b > pos), len(text))
                body = text[pos:end].rstrip()
                if len(body) < 20:
                    continue
                iid = f"{doc.id}#{num}"
                k = 2
                while iid in used:
                    iid = f"{doc.id}#{num}.{k}"
                    k += 1
                used.add(iid)
                first_line = body.split("\n", 1)[0]
                title = re.sub(
                    r"^[\s\u00a0]*[0-9๐-๙]+[\s\u00a0]*\.[\s\u00a0]*เรื่อง[\s\u00a0]*", "", first_line
                )
                items.append(
                    Item(
                        id=iid,
                        doc=doc.id,
                        start=pos,
                        end=pos + len(body),
                        text=body,
                        title=title.strip(),
                        meta=_meta(doc),
                    )
                )
            if items:
                return items
    stripped = text.strip()
    start = text.find(stripped[:1]) if stripped else 0
    title = doc.title or stripped.split("\n", 1)[0][:200]
    return [
        Item(
            id=doc.id,
            doc=doc.id,
            start=start,
            end=start + len(stripped),
            text=stripped,
            title=title,
            meta=_meta(doc),
        )
    ]


def _meta(doc: Document) -> dict[str, str]:
    return {k: v for k, v in (("date", doc.date), ("url", doc.url), ("agency", doc.agency)) if v}
