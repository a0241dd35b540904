"""The text classifier behind routing: one pipeline for production, training and evaluation.

Text is normalised by kent360.core.text (Turkish casing, apostrophe suffixes split off,
Persian letters and digits unified, Turkish letters folded so "cop" meets "çöp"), then
described by TF-IDF blocks with sublinear term frequency:

- word uni/bigrams of the whole words;
- uni/bigrams of *prefix stems*, the first five letters of each word: Turkish is
  agglutinative, and cutting a word after five letters groups the inflections of one root
  ("konteyner", "konteynerler", "konteynerin" → "konte"), a known strong baseline for
  Turkish text classification that needs no dictionary;
- character 2–5-grams inside word boundaries (typos, missing letters, Persian affixes).

A linear SVM with balanced class weights scores the categories; its C is chosen by
cross-validation on the training examples only; the scores are calibrated into
probabilities (Platt scaling on cross-validated scores) so that the confidence can be
compared with the organisation's threshold.

A small organisation knows its categories before it has history: each category's name,
description and keyword list (one per line) become pseudo-examples of that category in
every training run, so even a category with no labelled request can be predicted.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from kent360.core.text import search_key
from kent360.routing.keywords import keyword_confidence, keyword_hits

MIN_PER_CLASS = 2  # a category needs two examples to be learnt and calibrated
MAX_WORD_FEATURES = 100_000
MAX_CHAR_FEATURES = 150_000
STEM_LENGTH = 5
DEFAULT_C = 0.5
C_GRID = (0.1, 0.3, 1.0, 3.0)
CV_FOLDS = 3
CV_MIN_EXAMPLES = 30  # below this, cross-validation says nothing: the default C is kept
CV_MAX_EXAMPLES = 4000  # C is chosen on a deterministic sample of large histories
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def normalise_batch(texts: Sequence[str]) -> list[str]:
    """The comparison form of each text (module-level so the pipeline pickles)."""
    return [search_key(t) for t in texts]


def request_text(subject: str, body: str) -> str:
    """Subject and body as one text; the subject is repeated because it is the densest part."""
    return f"{subject}. {subject}. {body}"


def prefix_stem(word: str, length: int = STEM_LENGTH) -> str:
    """The stem of a Turkish word by truncation: its first ``length`` letters.

    "konteynerlerin" and "konteyner" meet as "konte"; words no longer than ``length``
    are their own stem.
    """
    return word[:length]


def stem_ngrams(normalised: str, length: int = STEM_LENGTH) -> list[str]:
    """Prefix stems of the words of a normalised text, and the pairs of neighbouring stems."""
    stems = [prefix_stem(w, length) for w in _TOKEN.findall(normalised)]
    return stems + [f"{a} {b}" for a, b in pairwise(stems)]


@dataclass(frozen=True)
class CategoryInfo:
    """What an organisation says about a category: its prior knowledge for the router."""

    code: str
    name: str = ""
    description: str = ""
    keywords: str = ""
    directorate: str = ""


def pseudo_examples(categories: Iterable[CategoryInfo]) -> tuple[list[str], list[str]]:
    """Texts that stand for each category before any request does.

    The name, the description, each keyword alone, and the name with all keywords are
    examples of the category: a keyword list written by an admin is what the category is
    about, and a model trained on it knows words that no labelled request used yet.
    """
    texts: list[str] = []
    labels: list[str] = []
    for category in categories:
        words = [k.strip() for k in category.keywords.splitlines() if k.strip()]
        found = [category.name.strip(), category.description.strip(), *words]
        if words:
            found.append(" ".join([category.name, *words]))
        for text in found:
            if text:
                texts.append(text)
                labels.append(category.code)
    return texts, labels


@dataclass(frozen=True)
class Options:
    """Choices of the pipeline; the defaults are the production choice (see
    benchmarks/routing_compare.py for the cross-validated comparison behind them)."""

    features: tuple[str, ...] = ("stem", "char")
    classifier: str = "svm"  # svm | logreg | cnb
    c: float | None = None  # None: chosen by cross-validation on the training data
    pseudo: bool = True
    stem_length: int = STEM_LENGTH
    keyword_weight: float = 0.3  # how much an admin keyword counts when the model is unsure
    keyword_unsure: float = 0.5  # below this top probability the keywords are consulted


def _vectorizer(kind: str, options: Options) -> TfidfVectorizer:
    if kind == "word":
        return TfidfVectorizer(
            analyzer="word",
            token_pattern=_TOKEN.pattern,
            ngram_range=(1, 2),
            sublinear_tf=True,
            max_features=MAX_WORD_FEATURES,
        )
    if kind == "stem":
        return TfidfVectorizer(
            analyzer=partial(stem_ngrams, length=options.stem_length),
            sublinear_tf=True,
            max_features=MAX_WORD_FEATURES,
        )
    if kind == "char":
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            max_features=MAX_CHAR_FEATURES,
        )
    raise ValueError(f"unknown feature block {kind!r}")


def _estimator(kind: str, c: float) -> Any:
    if kind == "svm":
        return LinearSVC(C=c, class_weight="balanced")
    if kind == "logreg":
        return LogisticRegression(C=c * 20, class_weight="balanced", max_iter=3000)
    if kind == "cnb":
        return ComplementNB(alpha=c)
    raise ValueError(f"unknown classifier {kind!r}")


def build_features(options: Options) -> FeatureUnion:
    return FeatureUnion([(kind, _vectorizer(kind, options)) for kind in options.features])


def build_pipeline(
    min_class_count: int, options: Options | None = None, c: float = DEFAULT_C
) -> Pipeline:
    options = options or Options()
    folds = max(2, min(3, min_class_count))
    estimator = _estimator(options.classifier, c)
    classifier = (
        estimator
        if options.classifier == "logreg"  # already gives probabilities
        else CalibratedClassifierCV(estimator, method="sigmoid", cv=folds, ensemble=False)
    )
    return Pipeline(
        [
            ("normalise", FunctionTransformer(normalise_batch)),
            ("features", build_features(options)),
            ("classifier", classifier),
        ]
    )


def choose_c(
    texts: Sequence[str],
    labels: Sequence[str],
    extra_texts: Sequence[str] = (),
    extra_labels: Sequence[str] = (),
    options: Options | None = None,
) -> float:
    """The C of the grid with the best cross-validated macro-F1 on the training examples.

    Pseudo-examples are in every training fold and never in a validation fold (they are
    not requests); the choice never sees a held-out or test example. Too little data for
    three folds keeps the default.
    """
    options = options or Options()
    counts = Counter(labels)
    keep = [i for i, y in enumerate(labels) if counts[y] >= CV_FOLDS]
    if len(keep) > CV_MAX_EXAMPLES:
        step = len(keep) / CV_MAX_EXAMPLES
        keep = [keep[int(i * step)] for i in range(CV_MAX_EXAMPLES)]
    if len(keep) < CV_MIN_EXAMPLES or len({labels[i] for i in keep}) < 2:
        return DEFAULT_C
    x = normalise_batch([texts[i] for i in keep])
    y = np.array([labels[i] for i in keep])
    extra_x = normalise_batch(list(extra_texts))
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=0)
    scores = {c: 0.0 for c in C_GRID}
    for train_idx, valid_idx in folds.split(x, y):
        features = build_features(options)
        fit_x = [x[i] for i in train_idx] + extra_x
        fit_y = [*y[train_idx], *extra_labels]
        matrix = features.fit_transform(fit_x)
        valid = features.transform([x[i] for i in valid_idx])
        for c in C_GRID:
            predicted = _estimator(options.classifier, c).fit(matrix, fit_y).predict(valid)
            scores[c] += f1_score(y[valid_idx], predicted, average="macro", zero_division=0)
    return max(C_GRID, key=lambda c: (scores[c], -abs(np.log(c / DEFAULT_C))))


@dataclass
class Prediction:
    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


class _FastPath:
    """The fitted pipeline's arithmetic for one text, without scikit-learn's per-call input
    validation (which costs ten times the arithmetic when texts come one at a time).
    Same numbers as ``pipeline.predict_proba`` (checked by the tests)."""

    def __init__(self, pipeline: Pipeline) -> None:
        features = pipeline.named_steps["features"]
        self.parts = []
        offset = 0
        for _name, vectorizer in features.transformer_list:
            self.parts.append(
                (
                    vectorizer.build_analyzer(),
                    vectorizer.vocabulary_,
                    vectorizer.idf_,
                    offset,
                    vectorizer.sublinear_tf,
                )
            )
            offset += len(vectorizer.vocabulary_)
        calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_[0]
        estimator = calibrated.estimator
        self.coef = np.ascontiguousarray(estimator.coef_, dtype=np.float64)
        self.intercept = np.asarray(estimator.intercept_, dtype=np.float64)
        self.a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)

    def proba(self, text: str) -> np.ndarray:
        normalised = search_key(text)
        scores = self.intercept.copy()
        for analyzer, vocabulary, idf, offset, sublinear in self.parts:
            counts = Counter(vocabulary[t] for t in analyzer(normalised) if t in vocabulary)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                tf = 1.0 + np.log(tf)
            weights = tf * idf[index]
            weights /= np.sqrt(weights @ weights)
            scores += self.coef[:, offset + index] @ weights
        calibrated = 1.0 / (1.0 + np.exp(self.a * scores + self.b))
        if len(calibrated) == 1:  # two classes: one score for the second
            return np.array([1.0 - calibrated[0], calibrated[0]])
        total = calibrated.sum()
        if total <= 0:
            return np.full(len(calibrated), 1.0 / len(calibrated))
        result: np.ndarray = calibrated / total
        return result


class TextClassifier:
    """A trained pipeline with its labels; pickled into the database as one blob."""

    def __init__(self, pipeline: Pipeline, labels: list[str]) -> None:
        self.pipeline = pipeline
        self.labels = labels
        self.directorate_for: dict[str, str] = {}
        self.c = DEFAULT_C
        self.keyword_rules: list[tuple[str, str]] = []
        self.keyword_weight = 0.0
        self.keyword_unsure = 0.0
        self._fast: _FastPath | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_fast"] = None  # rebuilt from the pipeline after loading
        return state

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        categories: Sequence[CategoryInfo] = (),
        options: Options | None = None,
    ) -> TextClassifier:
        """Train on labelled texts plus the categories' pseudo-examples.

        A category is learnt when it has at least two examples, real or pseudo.
        """
        options = options or Options()
        extra_x, extra_y = pseudo_examples(categories) if options.pseudo else ([], [])
        counts = Counter([*labels, *extra_y])
        keep = [i for i, y in enumerate(labels) if counts[y] >= MIN_PER_CLASS]
        x = [texts[i] for i in keep]
        y = [labels[i] for i in keep]
        extra = [
            (t, c) for t, c in zip(extra_x, extra_y, strict=True) if counts[c] >= MIN_PER_CLASS
        ]
        extra_x, extra_y = [t for t, _c in extra], [c for _t, c in extra]
        if len(set(y) | set(extra_y)) < 2:
            raise ValueError("at least two categories with two examples each are needed")
        c = options.c if options.c is not None else choose_c(x, y, extra_x, extra_y, options)
        pipeline = build_pipeline(min(Counter([*y, *extra_y]).values()), options, c)
        pipeline.fit([*x, *extra_x], [*y, *extra_y])
        model = cls(pipeline, [str(label) for label in pipeline.classes_])
        model.c = c
        model.directorate_for = {k.code: k.directorate for k in categories if k.directorate}
        known = set(model.labels)
        model.keyword_rules = [(k.code, k.keywords) for k in categories if k.code in known]
        model.keyword_weight = options.keyword_weight
        model.keyword_unsure = options.keyword_unsure
        return model

    def _with_keywords(self, text: str, row: np.ndarray) -> np.ndarray:
        """The model's probabilities, nudged by the keyword rules when the model is unsure.

        Below ``keyword_unsure`` the keyword confidences (weighted) are added to the
        probabilities and the sum renormalised: an admin's keyword decides between
        categories the model cannot tell apart, and never overrides a confident model.
        """
        rules = getattr(self, "keyword_rules", [])
        weight = getattr(self, "keyword_weight", 0.0)
        if not rules or weight <= 0 or float(row.max()) >= self.keyword_unsure:
            return row
        confidence = keyword_confidence(keyword_hits(text, rules))
        if not confidence:
            return row
        mixed = row.astype(np.float64).copy()
        index = {label: i for i, label in enumerate(self.labels)}
        for code, value in confidence.items():
            mixed[index[code]] += weight * value
        result: np.ndarray = mixed / mixed.sum()
        return result

    @staticmethod
    def _prediction(labels: list[str], row: np.ndarray, top: int) -> Prediction:
        order = np.argsort(row, kind="stable")[::-1][:top]
        alts = [(labels[i], float(row[i])) for i in order]
        return Prediction(alts[0][0], alts[0][1], alts)

    def predict_many(self, texts: Sequence[str], top: int = 3) -> list[Prediction]:
        texts = list(texts)
        proba = self.pipeline.predict_proba(texts)
        return [
            self._prediction(self.labels, self._with_keywords(text, row), top)
            for text, row in zip(texts, proba, strict=True)
        ]

    def _linear_calibrated(self) -> bool:
        step = self.pipeline.named_steps["classifier"]
        return isinstance(step, CalibratedClassifierCV) and hasattr(
            step.calibrated_classifiers_[0].estimator, "coef_"
        )

    def predict(self, text: str) -> Prediction:
        """One text, through the fast path (request creation routes one at a time)."""
        if not self._linear_calibrated():
            return self.predict_many([text])[0]
        if getattr(self, "_fast", None) is None:
            self._fast = _FastPath(self.pipeline)
        assert self._fast is not None
        return self._prediction(self.labels, self._with_keywords(text, self._fast.proba(text)), 3)

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @staticmethod
    def loads(blob: bytes) -> TextClassifier:
        # Only blobs written by kent360 itself (RoutingModel rows) are ever loaded.
        obj = pickle.loads(blob)  # noqa: S301
        if not isinstance(obj, TextClassifier):
            raise TypeError("not a kent360 routing model")
        return obj


def digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def evaluate(
    model: TextClassifier,
    texts: Sequence[str],
    labels: Sequence[str],
    directorate_for: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Held-out figures: accuracy, macro-F1, per-category precision/recall, confusions.

    With ``directorate_for`` (category → directorate) also the directorate accuracy: a
    request sent to the wrong category of the right directorate still reaches the people
    who handle it, which is what routing is for.
    """
    predicted = [p.label for p in model.predict_many(texts)] if texts else []
    truth = [str(y) for y in labels]
    present = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=present, zero_division=0
    )
    confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    metrics: dict[str, Any] = {
        "n": len(truth),
        "accuracy": float(accuracy_score(truth, predicted)) if truth else 0.0,
        "macro_f1": float(
            f1_score(truth, predicted, labels=present, average="macro", zero_division=0)
        )
        if truth
        else 0.0,
        "per_category": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(present)
        },
        "confusions": [[t, p, n] for (t, p), n in confusions.most_common(10)],
    }
    if directorate_for and truth:
        same = sum(
            directorate_for.get(t, t) == directorate_for.get(p, p)
            for t, p in zip(truth, predicted, strict=True)
        )
        metrics["directorate_accuracy"] = same / len(truth)
    return metrics


def format_report(metrics: dict[str, Any]) -> str:
    """The printed report; its last line is ``accuracy 0.912 macro_f1 0.901``."""
    lines = [f"{'category':32} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>5}"]
    for label, m in sorted(metrics["per_category"].items()):
        lines.append(
            f"{label[:32]:32} {m['precision']:9.3f} {m['recall']:7.3f} "
            f"{m['f1']:6.3f} {m['support']:5d}"
        )
    if metrics["confusions"]:
        lines.append("most frequent confusions (true → predicted):")
        for t, p, n in metrics["confusions"]:
            lines.append(f"  {t} → {p}: {n}")
    lines.append(f"held-out examples: {metrics['n']}")
    if "directorate_accuracy" in metrics:
        lines.append(f"directorate accuracy {metrics['directorate_accuracy']:.3f}")
    lines.append(f"accuracy {metrics['accuracy']:.3f} macro_f1 {metrics['macro_f1']:.3f}")
    return "\n".join(lines)
