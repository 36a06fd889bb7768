"""Normalising, sentence-splitting and word-segmenting Thai (PyThaiNLP ``newmm``) and English.

Segmentation is the one step that reads every word, so it is the floor of the whole pipeline's
cost; it runs in worker processes (``segment_many``), item by item, and each worker also finds
the item's agencies, budget amounts, target groups and areas while the text is in its memory.
Workers return tokens joined by ``\\x1f`` so passing results between processes is a cheap
string copy rather than pickling millions of small strings.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing as mp
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from pythainlp.util.trie import Trie

SEP = "\x1f"
MAX_SENTENCE = 300  # Thai paragraphs run on; cut long ones at spaces so evidence stays readable
_SPACE_LIKE = re.compile("[\u00a0\u200b\u200c\u200d\u2060\ufeff\t\r]")
_HAS_LETTER = re.compile(r"[a-z\u0e01-\u0e2e]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass
class Processed:
    """What segmentation and entity finding produce for one item."""

    spans: list[tuple[int, int]]  # sentence offsets in the item text
    tokens: list[str]  # per sentence: content tokens joined by SEP
    agencies: list[str] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    lang: str = "th"
    title_tokens: str = ""
    programmes: list[str] = field(default_factory=list)
    date: str = ""  # ISO date found at the head of the text, if any
    years: list[str] = field(default_factory=list)  # Buddhist-era years named, most frequent first
    # what the title says about which instance of a programme this is (find_instance_markers)
    head_years: list[str] = field(default_factory=list)  # Buddhist-era years, 2-digit ones too
    rounds: list[str] = field(default_factory=list)  # "round:3", "phase:2", "month:7", ...
    head_areas: list[str] = field(default_factory=list)  # provinces and regions in the title
    appointment: bool = False  # the title appoints officials (never a policy relation)


def normalize(text: str) -> str:
    """Same length as the input (offsets survive): odd spaces become plain spaces."""
    return _SPACE_LIKE.sub(" ", text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence-like spans: lines, with long lines cut at a space near ``MAX_SENTENCE``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        while end - start > MAX_SENTENCE:
            cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
            if cut <= start:
                cut = start + MAX_SENTENCE
            spans.append((start, cut))
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if end > start:
            spans.append((start, end))
    return spans


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    english = {
        "the", "of", "and", "to", "in", "for", "on", "a", "an", "is", "are", "was", "were", "be",
        "by", "with", "as", "at", "that", "this", "it", "from", "or", "its", "has", "have",
        "will", "which", "their", "also", "been", "not", "but",
    }  # fmt: skip
    return frozenset(thai_stopwords()) | english


def _words_file() -> Path:
    """PyThaiNLP's word list (what ``pythainlp.corpus.thai_words`` reads), found without
    importing the package."""
    spec = importlib.util.find_spec("pythainlp")
    if spec is None or spec.origin is None:
        raise ImportError("pythainlp is not installed")
    return Path(spec.origin).parent / "corpus" / "words_th.txt"


def _fingerprint(words_file: Path) -> str:
    st = words_file.stat()
    return f"newmm-dictionary v1 {st.st_size} {st.st_mtime_ns}"


class NewmmDictionary:
    """PyThaiNLP's default ``newmm`` dictionary as two string sets instead of a node trie.

    ``newmm`` asks its dictionary one question, ``prefixes(text, start)``: the words that
    start at ``start``. Walking the trie's nodes is the same as checking growing slices of
    the text against the set of every prefix of every word (a node exists) and the set of
    words (a node ends a word), so the answers, and the tokens, are identical. Building
    PyThaiNLP's trie of 62,000 words costs ~0.4 s in every process; these sets load from a
    cache file (``prepare_dictionary``) in ~0.05 s, and tokenise ~10 % slower.
    """

    def __init__(self, words: Iterable[str]) -> None:
        # stripped and non-empty, as ``Trie.add`` and ``get_corpus`` keep them
        self.words = frozenset(w for w in (x.strip() for x in words) if w)
        self.stems = frozenset({w[:i] for w in self.words for i in range(1, len(w) + 1)})

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        out: list[str] = []
        stems, words = self.stems, self.words
        for end in range(start + 1, len(text) + 1):
            s = text[start:end]
            if s not in stems:
                break
            if s in words:
                out.append(s)
        return out

    def __contains__(self, key: object) -> bool:
        return key in self.words

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:  # newmm falls back to its own trie when this is falsy
        return len(self.words)

    @classmethod
    def from_pythainlp(cls) -> NewmmDictionary:
        text = _words_file().read_text(encoding="utf-8-sig")  # as pythainlp's get_corpus
        return cls(text.splitlines())

    def dump(self, path: Path) -> None:
        """Words, then the other prefixes, one a line, under the word list's fingerprint."""
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n".join(
            [
                _fingerprint(_words_file()),
                str(len(self.words)),
                *self.words,
                *(self.stems - self.words),
            ]
        )
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> NewmmDictionary | None:
        """The dictionary dumped at ``path``, or None if absent or made from another word list."""
        try:
            lines = path.read_text(encoding="utf-8").split("\n")
        except (OSError, UnicodeDecodeError):
            return None
        if len(lines) < 2 or lines[0] != _fingerprint(_words_file()) or not lines[1].isdigit():
            return None
        n = int(lines[1])
        d = cls.__new__(cls)
        d.words = frozenset(lines[2 : 2 + n])
        d.stems = d.words.union(lines[2 + n :])
        return d


# None: newmm's own node trie, built from the same word list on first use (~0.4 s). It walks
# ~10 % faster per character than the sets, which counts over a corpus; a short-lived ``add``
# process installs the cached sets instead (``use_dictionary``).
_dictionary: NewmmDictionary | None = None


def prepare_dictionary(path: Path) -> NewmmDictionary:
    """The dictionary cached at ``path``, built and written there when it is missing or was
    made from another PyThaiNLP word list."""
    d = NewmmDictionary.load(path)
    if d is None:
        d = NewmmDictionary.from_pythainlp()
        # a read-only state directory only costs the rebuild next time
        with contextlib.suppress(OSError):
            d.dump(path)
    return d


def use_dictionary(d: NewmmDictionary | None) -> None:
    """Segment with ``d`` from now on in this process (None: newmm's own trie); the tokens
    are the same either way."""
    global _dictionary
    _dictionary = d


def use_cached_dictionary(path: Path) -> None:
    """``use_dictionary(prepare_dictionary(path))``, once a process."""
    if _dictionary is None:
        use_dictionary(prepare_dictionary(path))


def tokenize(text: str) -> list[str]:
    """Content words: newmm tokens, lower-cased, without spaces, punctuation, numbers, stopwords."""
    from pythainlp.tokenize import word_tokenize

    stop = _stopwords()
    out: list[str] = []
    # newmm reads its dictionary only through ``prefixes`` (and its truth value)
    words = cast("Trie | None", _dictionary)
    for tok in word_tokenize(text, engine="newmm", keep_whitespace=False, custom_dict=words):
        t = tok.strip().lower()
        if len(t) < 2 or t in stop or not _HAS_LETTER.search(t):
            continue
        out.append(t)
    return out


_MONTH_NAMES = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
    "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
_MONTH_ABBREVIATIONS = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
_MONTHS = "|".join(re.escape(m) for m in _MONTH_NAMES + _MONTH_ABBREVIATIONS)
_DATE = re.compile(r"(\d{1,2})\s*(" + _MONTHS + r")\s*(\d{2,4})")
_YEAR = re.compile(r"(?<!\d)25[4-7]\d(?!\d)")


def find_date(text: str) -> str:
    """The first Thai date near the top (news items open with their date): ISO, or ""."""
    from prasan.core.thai import parse_date, to_arabic_digits

    m = _DATE.search(to_arabic_digits(text[:600]))
    if not m:
        return ""
    try:
        return parse_date(m.group(0)).isoformat()
    except Exception:
        return ""


def find_years(text: str) -> list[str]:
    """Buddhist-era years named (a programme's year or round), most frequent first."""
    from collections import Counter

    return [y for y, _ in Counter(_YEAR.findall(text[:3000])).most_common(5)]


# What an item's title says about which instance of a programme it is: the year, the round,
# meeting, batch, phase or quarter, the month or day of a recurring report, and the province or region.
# Two items with the same headline but another year, meeting number, month or province are the
# labelling guide's "same programme, another instance" (``related``, not ``duplicate``). Only
# the title is read: a lead paragraph often names last year's round or the next province too.
_ROUND = re.compile(
    r"(ครั้งที่|รุ่นที่|ระยะที่|เฟส|ฉบับที่|งวดที่|รอบที่)\s*(\d{1,3})(?:\s*/\s*(25\d\d|\d\d)(?!\d))?"
)
_ROUND_KIND = {
    "ครั้งที่": "round", "รอบที่": "round", "งวดที่": "round", "รุ่นที่": "batch",
    "ระยะที่": "phase", "เฟส": "phase", "ฉบับที่": "edition",
}  # fmt: skip
# a meeting number written as "1/2560" or "2/61" (the committee's N-th meeting of that year)
_SLASH_ROUND = re.compile(r"(?<![\d/.:])(\d{1,2})\s*/\s*(25[4-7]\d|[4-7]\d)(?![\d/])")
# the quarter of a quarterly report: "ไตรมาส 4", "ไตรมาสที่ 2/2562", "ไตรมาสแรก", "Q2/62"
_QUARTER = re.compile(
    r"(?:ไตรมาส(?:ที่)?\s*(?:(\d)|(แรก))|(?<![A-Za-z])Q([1-4]))(?:\s*/\s*(25[4-7]\d|[4-7]\d)(?!\d))?"
)
# a year that names the instance: "ปี 61", "ปี’60", "ปีงบประมาณ 2562", "ประจำปี พ.ศ. 2561", "ปีการผลิต 60/61"
_HEAD_YEAR = re.compile(
    r"(?:ปี(?:งบประมาณ|การผลิต|การศึกษา|เพาะปลูก)?|ประจำปี|ฤดูกาล|พ\.ศ\.)\s*(?:พ\.ศ\.)?\s*[’'‘]?\s*"
    r"(25[4-7]\d|[4-7]\d)(?!\d)"
)
# "(ประจำ)เดือนกรกฎาคม 2560", "วันที่ 5 เมษายน 2563": the period of a recurring report
_TITLE_MONTH = re.compile(
    r"(?:(\d{1,2})\s*)?(" + "|".join(_MONTH_NAMES) + r")\s*(?:พ\.ศ\.\s*)?(25[4-7]\d|[4-7]\d)?(?!\d)"
)
_PRINT_LINE = re.compile(r"^(?:พิมพ์|print|แชร์|share|[\W_]*)$", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*(?:วัน\S{0,12}ที่\s*)?[0-9๐-๙]{1,2}\s*\S{2,12}\s*[0-9๐-๙]{2,4}\s*$")


def guess_title(text: str) -> str:
    """The headline of a bare text: its first line that is not just a date or a page control.

    News items in the corpus open with their date line (``วันอังคารที่ 23 สิงหาคม 2559``), and
    3,445 of them then with the print button's label (``พิมพ์``), before the headline; taking
    either as the title made unrelated items of the same weekday, or of the same web page
    template, look alike."""
    for line in text.split("\n", 10)[:10]:
        line = line.strip()
        if line and not _DATE_LINE.match(line) and not _PRINT_LINE.match(line):
            return line[:200]
    return text.split("\n", 1)[0][:200]


def find_instance_markers(title: str) -> tuple[list[str], list[str], list[str]]:
    """The years, rounds/periods and areas (provinces, regions) a title names.

    Rounds are ``kind:value`` (``round:4``, ``phase:2``, ``quarter:2``, ``month:7``, ``day:5/4``);
    two items conflict on a kind when both name it and share no value (``instance_conflicts``).
    """
    from prasan.core.thai import to_arabic_digits
    from prasan.policy.gazetteer import find_areas, find_regions

    head = to_arabic_digits(title)
    years: dict[str, None] = {}
    rounds: dict[str, None] = {}

    def year(y: str) -> str:
        return y if len(y) == 4 else "25" + y

    for m in _ROUND.finditer(head):
        rounds.setdefault(f"{_ROUND_KIND[m.group(1)]}:{int(m.group(2))}", None)
        if m.group(3):
            years.setdefault(year(m.group(3)), None)
    for m in _QUARTER.finditer(head):
        rounds.setdefault(f"quarter:{1 if m.group(2) else int(m.group(1) or m.group(3))}", None)
        if m.group(4):
            years.setdefault(year(m.group(4)), None)
    for m in _SLASH_ROUND.finditer(_QUARTER.sub(" ", head)):  # "ไตรมาส 3/61" is no meeting
        rounds.setdefault(f"round:{int(m.group(1))}", None)
        years.setdefault(year(m.group(2)), None)
    for m in _HEAD_YEAR.finditer(head):
        years.setdefault(year(m.group(1)), None)
    for y in _YEAR.findall(head):
        years.setdefault(y, None)
    for m in _TITLE_MONTH.finditer(head):
        month = _MONTH_NAMES.index(m.group(2)) + 1
        if m.group(1):
            rounds.setdefault(f"day:{int(m.group(1))}/{month}", None)
        else:
            rounds.setdefault(f"month:{month}", None)
    areas = find_areas(head) + find_regions(head)
    return list(years)[:6], list(rounds)[:6], areas[:6]


def instance_conflicts(a: Processed, b: Processed) -> dict[str, bool]:
    """Whether two titles name another year, round/period or area of the same programme."""

    def kinds(rounds: list[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for r in rounds:
            kind, _, value = r.partition(":")
            out.setdefault(kind, set()).add(value)
        return out

    ra, rb = kinds(a.rounds), kinds(b.rounds)
    return {
        "head_year_conflict": _disjoint(a.head_years, b.head_years),
        "round_conflict": any(k in rb and not ra[k] & rb[k] for k in ra),
        "area_conflict": _disjoint(a.head_areas, b.head_areas),
    }


def _disjoint(a: Sequence[str], b: Sequence[str]) -> bool:
    return bool(a and b and not set(a) & set(b))


def language(text: str) -> str:
    thai = len(_THAI.findall(text[:5000]))
    latin = len(_LATIN.findall(text[:5000]))
    if thai and latin > thai:
        return "mixed" if thai > latin / 10 else "en"
    return "th" if thai or not latin else "en"


def _segment(norm: str) -> tuple[list[tuple[int, int]], list[str]]:
    spans = sentence_spans(norm)
    return spans, [SEP.join(tokenize(norm[s:e])) for s, e in spans]


def segment_text(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """Only the sentence spans and their tokens of ``process_text`` (what evidence needs of a
    stored item), without looking for entities."""
    return _segment(normalize(text))


def process_text(text: str, title: str = "") -> Processed:
    """Segment one item (and its title) and find who and what it names."""
    from prasan.policy.gazetteer import (
        default_gazetteer,
        find_amounts,
        find_areas,
        find_programmes,
        find_targets,
        is_appointment,
    )

    norm = normalize(text)
    spans, tokens = _segment(norm)
    head_years, rounds, head_areas = find_instance_markers(title.strip() or guess_title(norm))
    return Processed(
        spans=spans,
        tokens=tokens,
        agencies=default_gazetteer().find(norm),
        amounts=find_amounts(norm),
        targets=find_targets(norm),
        areas=find_areas(norm),
        lang=language(norm),
        title_tokens=SEP.join(tokenize(normalize(title))) if title else "",
        programmes=find_programmes(norm),
        date=find_date(norm),
        years=find_years(norm),
        head_years=head_years,
        rounds=rounds,
        head_areas=head_areas,
        appointment=is_appointment(title.strip() or guess_title(norm)),
    )


def _work(job: tuple[str, str]) -> Processed:
    return process_text(job[0], job[1])


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def segment_many(
    jobs: Sequence[tuple[str, str]],
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Processed]:
    """``process_text`` over many (text, title) jobs, in order, on ``workers`` processes."""
    n = default_workers() if workers is None else workers
    if n <= 1 or len(jobs) < 50:
        for text, title in jobs:
            yield process_text(text, title)
            if progress:
                progress(1)
        return
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    # big items first would balance better, but order must be kept: small chunks do that job
    with ctx.Pool(n) as pool:
        for result in pool.imap(_work, jobs, chunksize=16):
            yield result
            if progress:
                progress(1)
