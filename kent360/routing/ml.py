"""The text classifier behind routing: one pipeline for production, training and evaluation.

Text is normalised by kent360.core.text (Turkish casing, apostrophe suffixes split off,
Persian letters and digits unified, Turkish letters folded so "cop" meets "çöp"), then
described by TF-IDF word uni/bigrams and character 2–5-grams (robust to typos and to
Turkish and Persian suffixes), classified by a linear SVM whose scores are calibrated
into probabilities (Platt scaling on cross-validated scores).
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from kent360.core.text import search_key

MIN_PER_CLASS = 2  # a category needs two examples to be learnt and calibrated
MAX_WORD_FEATURES = 100_000
MAX_CHAR_FEATURES = 150_000


def normalise_batch(texts: Sequence[str]) -> list[str]:
    """The comparison form of each text (module-level so the pipeline pickles)."""
    return [search_key(t) for t in texts]


def request_text(subject: str, body: str) -> str:
    """Subject and body as one text; the subject is repeated because it is the densest part."""
    return f"{subject}. {subject}. {body}"


def build_pipeline(min_class_count: int) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "word",
                TfidfVectorizer(
                    analyzer="word",
                    token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 (a regex, not a secret)
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    max_features=MAX_WORD_FEATURES,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    max_features=MAX_CHAR_FEATURES,
                ),
            ),
        ]
    )
    folds = max(2, min(3, min_class_count))
    classifier = CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced"), method="sigmoid", cv=folds, ensemble=False
    )
    return Pipeline(
        [
            ("normalise", FunctionTransformer(normalise_batch)),
            ("features", features),
            ("classifier", classifier),
        ]
    )


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
        self._fast: _FastPath | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_fast"] = None  # rebuilt from the pipeline after loading
        return state

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str]) -> TextClassifier:
        counts = Counter(labels)
        keep = [i for i, y in enumerate(labels) if counts[y] >= MIN_PER_CLASS]
        x = [texts[i] for i in keep]
        y = [labels[i] for i in keep]
        if len(set(y)) < 2:
            raise ValueError("at least two categories with two examples each are needed")
        pipeline = build_pipeline(min(Counter(y).values()))
        pipeline.fit(x, y)
        return cls(pipeline, [str(c) for c in pipeline.classes_])

    def predict_many(self, texts: Sequence[str], top: int = 3) -> list[Prediction]:
        proba = self.pipeline.predict_proba(list(texts))
        out = []
        for row in proba:
            order = np.argsort(row)[::-1][:top]
            alts = [(self.labels[i], float(row[i])) for i in order]
            out.append(Prediction(alts[0][0], alts[0][1], alts))
        return out

    def predict(self, text: str) -> Prediction:
        """One text, through the fast path (request creation routes one at a time)."""
        if getattr(self, "_fast", None) is None:
            self._fast = _FastPath(self.pipeline)
        assert self._fast is not None
        row = self._fast.proba(text)
        order = np.argsort(row)[::-1][:3]
        alts = [(self.labels[i], float(row[i])) for i in order]
        return Prediction(alts[0][0], alts[0][1], alts)

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


def evaluate(model: TextClassifier, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Held-out figures: accuracy, macro-F1, per-category precision/recall, confusions."""
    predicted = [p.label for p in model.predict_many(texts)]
    truth = [str(y) for y in labels]
    present = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=present, zero_division=0
    )
    confusions = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    return {
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
    lines.append(f"accuracy {metrics['accuracy']:.3f} macro_f1 {metrics['macro_f1']:.3f}")
    return "\n".join(lines)
