"""Churn intent in a ticket: "how do we cancel?", "not renewing", "if we switch to X".

A CSM reads these first, and they are not a sentiment: "What is the process for
cancelling?" is polite and neutral in tone, yet it is the most important ticket in
the book. So churn intent is a signal of its own, stored per ticket, and made of two
parts that each catch what the other misses:

1. **Explicit phrases** (:data:`CHURN_PHRASES`): a short, documented list of
   patterns a CSM would call churn intent on sight — cancelling, non-renewal,
   termination, closing the account, downgrading, switching to a competitor,
   evaluating alternatives, cutting the tool from the budget, full-export or
   data-migration requests. Each has a name shown as the reason. Phrases that only
   look like churn ("cancel the meeting", "switch to the Pro plan", "remove users
   from the account") are excluded in the patterns themselves.
2. **A logistic regression on sentence embeddings** trained on the written tuning
   set ``knowledge/sentiment_data/churn_intent.jsonl``, for paraphrases no pattern
   lists ("we'll probably migrate off your platform").

A ticket has churn intent when a phrase matches or the classifier's probability is
at least :data:`CLASSIFIER_THRESHOLD`. ``bench/bench_knowledge_eval.py`` reports
precision/recall on a held-out slice of Bitext and a held-out written set that
neither the patterns nor the classifier were tuned on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.models import SentimentResult
from knowledge.protocols import Embedder

CHURN_TRAINING_PATH = Path(__file__).resolve().parent / "sentiment_data" / "churn_intent.jsonl"
CHURN_HELDOUT_PATH = Path(__file__).resolve().parent / "eval" / "churn_intent_heldout.jsonl"
CLASSIFIER_THRESHOLD = 0.7
PHRASES_VERSION = "p4"

_NOT_CHURN_OBJECT = (
    r"(?:meeting|call|session|training|webinar|invite|demo|appointment|job|export|sync|import|run|"
    r"report|alert|notification|newsletter|email|duplicate|invoice|order form|workshop|seat|user)"
)
_PLAN_WORDS = r"(?:account|plan|tier|edition|package|version|subscription|licen[cs]e)"


@dataclass(frozen=True, slots=True)
class ChurnPhrase:
    """One explicit churn-intent pattern; ``name`` is the reason a CSM sees."""

    name: str
    description: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None  # the same words about something else


def _phrase(
    name: str,
    description: str,
    pattern: str,
    flags: int = re.IGNORECASE,
    unless: str | None = None,
) -> ChurnPhrase:
    return ChurnPhrase(
        name, description, re.compile(pattern, flags), re.compile(unless, re.I) if unless else None
    )


CHURN_PHRASES: tuple[ChurnPhrase, ...] = (
    _phrase(
        "cancel",
        "cancelling the subscription, plan or account (not a meeting, job or invoice)",
        r"\bcancel(?:l?ing|l?ed|lation|s)?\b"
        rf"(?!\s+(?:the\s+|our\s+|my\s+|a\s+|this\s+|that\s+|tomorrow'?s\s+|today'?s\s+|"
        rf"friday'?s\s+|monday'?s\s+|\w+ly\s+)?(?:\w+\s+)?{_NOT_CHURN_OBJECT}s?\b)",
        unless=r"\bnewsletter|\bmailing\s+list|\bmeeting\b|\bappointment\b|"
        rf"\b{_NOT_CHURN_OBJECT}s?\s+(?:was|were|is|got|has\s+been|have\s+been)\s+cancell?ed\b",
    ),
    _phrase(
        "non_renewal",
        "not renewing / notice of non-renewal",
        r"\bnon-?renewal\b|\b(?:not|never|won'?t|will\s+not|don'?t|do\s+not|aren'?t|are\s+not)\s+"
        r"(?:be\s+|going\s+to\s+|planning\s+to\s+|plan\s+to\s+|intend\s+to\s+)?renew(?:ing)?\b|"
        r"\bdecided\s+(?:not|against)\s+(?:to\s+)?renew|\bstop\s+the\s+auto-?renewal\b|"
        r"\bnot\s+(?:be\s+)?signing\s+the\s+(?:new|renewal)\b|"
        r"\bnot\s+(?:planning|going)\s+to\s+continue\b|\bwon'?t\s+continue\b|"
        r"\bnot\s+(?:be\s+)?extending\b|\bwon'?t\s+be\s+extending\b",
    ),
    _phrase(
        "terminate",
        "terminating or exiting the contract, early-termination fees, notice periods",
        r"\bterminat(?:e|ion|ing)\s+(?:of\s+)?(?:our\s+|the\s+|my\s+|this\s+)?"
        r"(?:contract|agreement|subscription|account|notice|fee|charge|penalt)|"
        r"\b(?:early\s+)?(?:termination|exit|cancellation|withdrawal)\s+(?:fee|charge|penalt|cost)\w*|"
        r"\bbreak\s+(?:the|our|my)\s+contract\b|"
        r"\btermination\s+notice\b|\bexit\s+(?:the|our)\s+contract\b|"
        r"\bend\s+(?:the|our|my)\s+(?:contract|subscription|agreement)\b|"
        r"\bnotice\s+(?:period\s+)?to\s+(?:end|cancel|terminate)\b",
    ),
    _phrase(
        "close_account",
        "closing or deleting the company's account or workspace (not single users)",
        r"\b(?:clos\w*|delet\w*|remov\w*|shut\w*\s+down|deactivat\w*|wind\w*\s+down|"
        r"terminat\w*)\s+(?:(?:a|an|my|our|the|this|that)\s+)?(?!users?\b|member|guest|admin)"
        r"(?:(?!from\b|to\b|for\b|in\b)\w+\s+){0,2}(?:account|workspace|tenant|instance)\b|"
        r"\baccount\b[^.?!]{0,40}\b(?:clos\w*|delet\w*|remov\w*|cancel\w*)\s+it\b|"
        r"\b(?:closing|closure|deletion|removal|termination|cancellation)\s+of\s+"
        r"(?:(?:a|an|my|our|the)\s+)?(?!users?\b)(?:\w+\s+)?(?:account|workspace)\b|"
        r"\baccount\s+(?:closes|is\s+closed|closure|removals?|deletions?|cancellations?|"
        r"terminations?)\b|"
        r"\boffboarding\b",
    ),
    _phrase(
        "downgrade",
        "downgrading, or cutting seats by half or more",
        r"\bdowngrad\w*\b|\breduc\w*\s+(?:our\s+)?seats\s+by\s+(?:more\s+than\s+)?half\b|"
        r"\bdrop\s+the\s+subscription\b",
    ),
    _phrase(
        "switch_competitor",
        "moving to another vendor or a named competitor (not another plan of ours)",
        r"\b(?:switch|switching|move|moving|migrate|migrating|go|going)\s+(?:over\s+|everything\s+)?"
        r"(?:to|with)\s+(?:a\s+|an\s+)?(?:another|other|different|cheaper|new)\s+"
        r"(?:\w+\s+)?(?:vendor|provider|tool|platform|solution|system|product|crm|competitor)\b|"
        r"\b(?:signed|going)\s+with\s+(?:another|a\s+different|a\s+cheaper)\b|"
        r"\bmigrat\w*\s+off\b|\bmov\w*\s+(?:our\s+)?data\s+out\b|\bmigrat\w*\s+(?:our\s+)?data\s+out\b|"
        r"\bphased\s+out\b|\bsunset\s+this\b|\bdiscontinu\w*\s+(?:this|your|the\s+tool)\b|"
        r"\breplace\s+(?:this|your)\s+(?:product|tool|platform)\b|"
        r"\b(?:another|other)\s+(?:vendor|provider)\b.{0,40}\b(?:cheaper|price|quote|leave|leaving)\b|"
        r"\b(?:quote|offer(?:ed)?)\s+(?:from|us)\b.{0,40}\b(?:cheaper|lower\s+price)\b|"
        r"\bleaving\s+(?:in|at|by)\s+\w+",
    ),
    _phrase(
        "switch_named",
        "switching to a named product ('if we switch to Zendesk'), plan names excluded",
        rf"\b(?:[Ss]witch|[Ss]witching|[Mm]ove|[Mm]oving|[Mm]igrate|[Mm]igrating)\s+(?:everything\s+)?"
        rf"to\s+(?!(?:[Tt]he|[Aa]n?|[Oo]ur|[Mm]y|[Yy]our|[Pp]ro|[Pp]remium|[Gg]old|[Pp]latinum|"
        rf"[Ee]nterprise|[Ss]tandard|[Bb]asic|[Ff]ree|[Aa]nnual|[Mm]onthly|[Bb]usiness|[Tt]eam)\b)"
        rf"[A-Z][\w.-]+\b(?!\s+{_PLAN_WORDS})",
        flags=0,
    ),
    _phrase(
        "competitor_named",
        "evaluating, trialling or getting an offer from a named product",
        r"\b(?:[Ee]valuating|[Tt]rialled|[Tt]rialing|[Tt]rialling|[Pp]iloting|[Cc]omparison\s+with|"
        r"[Qq]uote\s+from|[Oo]ffer\s+from)\s+(?!(?:[Tt]he|[Oo]ur|[Yy]our|[Aa]n?|[Tt]his|[Ii]t)\b)"
        r"[A-Z][\w.-]+|\b[A-Z][\w.-]+\s+offered\s+us\b",
        flags=0,
    ),
    _phrase(
        "alternatives",
        "evaluating, comparing or trialling alternatives / other vendors / competitors",
        r"\b(?:evaluat\w*|consider\w*|look\w*\s+(?:at|into)|explor\w*|shop\w*\s+around\s+for|"
        r"compar\w*\s+(?:with|against)|trial\w*|pilot\w*|run\s+a\s+comparison\s+with)\s+"
        r"(?:some\s+|a\s+)?(?:other|alternative|competing|different|another)\s+(?:\w+\s+)?"
        r"(?:options?|vendors?|tools?|providers?|solutions?|platforms?|products?)\b|"
        r"\b(?:evaluat\w*|shop\w*\s+around\s+for|consider\w*)\s+alternatives\b|"
        r"\balternatives?\s+to\s+(?:you|your)\b|\bas\s+replacements?\b|"
        r"\bcomparison\s+with\s+another\b|\b(?:already\s+)?looking\s+at\s+(?:a\s+)?competitor",
    ),
    _phrase(
        "budget_cut",
        "the tool is being cut from the budget",
        r"\bcut(?:ting)?\s+(?:\w+\s+){0,2}tools\b|\btools?\s+(?:we'?re|we\s+are)\s+cutting\b|"
        r"\bbudget\b.{0,60}\b(?:cut|can'?t\s+justify)|\bcan'?t\s+justify\s+the\s+spend\b|"
        r"\bdrop\s+this\s+tool\b|\bconsolidating\s+vendors\b",
    ),
    _phrase(
        "full_export",
        "a full or complete export of all the data (the usual step before leaving)",
        r"\b(?:full|complete|entire)\s+(?:\w+\s+){0,2}(?:export|dump|copy)\b|"
        r"\bexport\s+of\s+(?:all|every)\b|\b(?:dump|export)\s+of\s+(?:all\s+)?our\s+data\b|"
        r"\btake\s+our\s+(?:\w+\s+)?data\s+with\s+us\b",
    ),
)


@dataclass(frozen=True, slots=True)
class ChurnMatch:
    phrase: str
    evidence: str


@dataclass(frozen=True, slots=True)
class ChurnIntentResult:
    """Whether a text shows churn intent; ``reason`` names the phrase or ``classifier``."""

    detected: bool
    score: float
    reason: str | None
    evidence: str | None


# Customers misspell the words that matter ("cacnel", "acount"); tokens within a small
# edit distance of these are read as the word before the phrases are tried again.
_TYPO_VOCABULARY = (
    "cancel",
    "cancelling",
    "canceling",
    "cancellation",
    "cancelled",
    "account",
    "delete",
    "deleting",
    "closing",
    "terminate",
    "termination",
    "charges",
    "renewing",
    "subscription",
    "contract",
)
_TOKEN = re.compile(r"[A-Za-z]{5,}")


def _fix_typos(text: str) -> str:
    from difflib import get_close_matches

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        lower = token.lower()
        if lower in _TYPO_VOCABULARY:
            return token
        # Same first letter and a close spelling: "cacnelling" is cancelling, but
        # "calling", "chance" and "meeting" stay themselves.
        vocabulary = [word for word in _TYPO_VOCABULARY if word[0] == lower[0]]
        close = get_close_matches(lower, vocabulary, n=1, cutoff=0.85)
        return close[0] if close else token

    fixed = _TOKEN.sub(replace, text)
    # glued words: "freemiumaccount", "myFreemium"
    return re.sub(r"(?i)(\w)(account)\b", r"\1 \2", fixed)


def _first_match(text: str) -> ChurnMatch | None:
    for phrase in CHURN_PHRASES:
        found = phrase.pattern.search(text)
        if found and not (phrase.unless is not None and phrase.unless.search(text)):
            return ChurnMatch(phrase=phrase.name, evidence=_evidence(text, found.start()))
    return None


def match_churn_phrase(text: str) -> ChurnMatch | None:
    """The first explicit churn phrase in ``text`` (typos forgiven), with its sentence."""
    found = _first_match(text)
    if found is not None:
        return found
    fixed = _fix_typos(text)
    if fixed == text:
        return None
    found = _first_match(fixed)
    return None if found is None else ChurnMatch(found.phrase, _evidence(text, 0))


def _evidence(text: str, start: int, width: int = 140) -> str:
    flat = " ".join(text.split())
    begin = max(0, flat.rfind(".", 0, max(start - 1, 0)) + 1) if start else 0
    snippet = flat[begin : begin + width].strip()
    return snippet if len(flat) - begin <= width else snippet.rstrip() + "…"


@dataclass(frozen=True, slots=True)
class ChurnExample:
    text: str
    churn_intent: bool


def default_churn_examples() -> list[ChurnExample]:
    """The written tuning set shipped with csbot (never the held-out set)."""
    from knowledge.jsonl import read_jsonl

    return [
        ChurnExample(text=str(row["text"]), churn_intent=bool(row["churn_intent"]))
        for row in read_jsonl(CHURN_TRAINING_PATH)
    ]


class ChurnIntentDetector:
    """Explicit phrases, then a logistic regression on embeddings for the paraphrases."""

    def __init__(self, embedder: Embedder, *, threshold: float = CLASSIFIER_THRESHOLD) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self._model: object | None = None
        self._model_id: str | None = None

    @property
    def model_id(self) -> str:
        if self._model_id is None:
            raise RuntimeError("the churn-intent detector is not trained yet (call fit)")
        return self._model_id

    def fit(self, examples: Sequence[ChurnExample]) -> ChurnIntentDetector:
        from sklearn.linear_model import LogisticRegression

        labels = [example.churn_intent for example in examples]
        if len(set(labels)) != 2:
            raise ValueError("churn-intent training data needs both churn and non-churn texts")
        vectors = self.embedder.embed([example.text for example in examples])
        model = LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced")
        model.fit(vectors, labels)
        digest = hashlib.sha256()
        for example in examples:
            digest.update(f"{int(example.churn_intent)}\x1f{example.text}\x1e".encode())
        self._model = model
        self._model_id = (
            f"churn-{PHRASES_VERSION}-{self.embedder.model_id}-{digest.hexdigest()[:8]}"
        )[:64]
        return self

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            raise RuntimeError("the churn-intent detector is not trained yet (call fit)")
        if not texts:
            return np.zeros(0)
        vectors = self.embedder.embed(list(texts))
        model = self._model
        classes = list(model.classes_)  # type: ignore[attr-defined]
        return model.predict_proba(vectors)[:, classes.index(True)]  # type: ignore[attr-defined]

    def detect(self, texts: Sequence[str]) -> list[ChurnIntentResult]:
        probabilities = self.probabilities(texts)
        results = []
        for text, probability in zip(texts, probabilities, strict=True):
            match = match_churn_phrase(text)
            if match is not None:
                results.append(
                    ChurnIntentResult(
                        True, max(float(probability), 0.95), match.phrase, match.evidence
                    )
                )
            elif probability >= self.threshold:
                results.append(
                    ChurnIntentResult(True, float(probability), "classifier", _evidence(text, 0))
                )
            else:
                results.append(ChurnIntentResult(False, float(probability), None, None))
        return results


CHURN_SENTIMENT_CEILING = -0.5


def with_churn_intent(result: SentimentResult, churn: ChurnIntentResult) -> SentimentResult:
    """A ticket that says it is leaving is negative, however politely it is worded.

    "Considering other options, we are evaluating alternatives" reads calm to a
    sentence model (and upbeat to VADER); a CSM reads it as the worst news in the
    book. When churn intent is detected the label is negative and the score at most
    :data:`CHURN_SENTIMENT_CEILING`; otherwise the classifier's result stands.
    """
    if not churn.detected:
        return result
    return SentimentResult(score=min(result.score, CHURN_SENTIMENT_CEILING), label="negative")
