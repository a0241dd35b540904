"""The routing pipeline's text rules: prefix stems, pseudo-examples from the categories,
C chosen on training data only, the keyword nudge when the model is unsure, and the
directorate accuracy of the report."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from django.core.management import call_command

from kent360.routing import ml
from kent360.routing.ml import CategoryInfo, Options, TextClassifier, evaluate, format_report

from .test_routing import ASFALT, COP

CATEGORIES = [
    CategoryInfo("asfalt", "Asfalt ve çukur", "", "asfalt\nçukur\nyama", "fen"),
    CategoryInfo("cop", "Çöp toplama", "", "çöp\nkonteyner", "temizlik"),
    CategoryInfo(
        "hasere",
        "Haşere ilaçlama",
        "Sivrisinek, fare, hamamböceği",
        "sivrisinek\nilaçlama",
        "saglik",
    ),
]


def test_prefix_stems_group_turkish_inflections():
    assert ml.prefix_stem("konteynerlerin") == ml.prefix_stem("konteyner") == "konte"
    assert ml.prefix_stem("cop") == "cop"
    assert ml.stem_ngrams("konteynerler dolmus") == ["konte", "dolmu", "konte dolmu"]
    a, b = ml.normalise_batch(["KONTEYNERLERİ BOŞALTILMADI", "konteyner bosaltilmadi"])
    assert ml.stem_ngrams(a) == ml.stem_ngrams(b)


def test_pseudo_examples_come_from_name_description_and_keywords():
    texts, labels = ml.pseudo_examples(CATEGORIES[2:])
    assert texts == [
        "Haşere ilaçlama",
        "Sivrisinek, fare, hamamböceği",
        "sivrisinek",
        "ilaçlama",
        "Haşere ilaçlama sivrisinek ilaçlama",
    ]
    assert labels == ["hasere"] * 5


def test_a_category_without_history_is_learnt_from_its_keywords():
    texts, labels = ASFALT + COP, ["asfalt"] * len(ASFALT) + ["cop"] * len(COP)
    without = TextClassifier.fit(texts, labels)
    assert "hasere" not in without.labels
    model = TextClassifier.fit(texts, labels, CATEGORIES)
    assert model.labels == ["asfalt", "cop", "hasere"]
    assert model.predict("Sivrisinekler için ilaçlama yapılsın").label == "hasere"
    assert model.directorate_for == {"asfalt": "fen", "cop": "temizlik", "hasere": "saglik"}


def test_pseudo_examples_can_be_switched_off():
    texts, labels = ASFALT + COP, ["asfalt"] * len(ASFALT) + ["cop"] * len(COP)
    model = TextClassifier.fit(texts, labels, CATEGORIES, Options(pseudo=False))
    assert model.labels == ["asfalt", "cop"]


def test_c_is_chosen_from_the_grid_by_cross_validation(monkeypatch):
    texts, labels = ASFALT + COP, ["asfalt"] * len(ASFALT) + ["cop"] * len(COP)
    assert ml.choose_c(texts[:10], labels[:10]) == ml.DEFAULT_C  # too few to cross-validate
    seen: list[int] = []
    real_f1 = ml.f1_score

    def counting_f1(truth, predicted, **kwargs):
        seen.append(len(truth))
        return real_f1(truth, predicted, **kwargs)

    monkeypatch.setattr(ml, "f1_score", counting_f1)
    chosen = ml.choose_c(texts * 2, labels * 2, ["asfalt çukur"], ["asfalt"])
    assert chosen in ml.C_GRID
    # Three folds × four values of C, each scored on a validation fold of real examples
    # only (the pseudo-example is never validated on): 48 real examples → 16 per fold.
    assert len(seen) == ml.CV_FOLDS * len(ml.C_GRID) and set(seen) == {16}


def test_keywords_nudge_an_unsure_model_and_never_a_sure_one():
    texts, labels = ASFALT + COP, ["asfalt"] * len(ASFALT) + ["cop"] * len(COP)
    model = TextClassifier.fit(texts, labels, CATEGORIES, Options(c=0.5))
    assert model.labels == ["asfalt", "cop", "hasere"]
    unsure = np.array([0.3, 0.3, 0.4])
    nudged = model._with_keywords("konteyner", unsure)
    assert int(np.argmax(nudged)) == 1 and nudged.sum() == pytest.approx(1.0)
    # 1 keyword of cop → confidence 0.5, weighted 0.3: (0.3 + 0.15) / 1.15
    assert nudged[1] == pytest.approx(0.45 / 1.15)
    sure = np.array([0.1, 0.2, 0.7])
    assert model._with_keywords("konteyner", sure) is sure
    assert model._with_keywords("bir şey", unsure) is unsure
    # The fast single-text path and the batch path agree, nudge included.
    for text in ["konteyner çukur", "asfalt", "yama konteyner"]:
        fast, batch = model.predict(text), model.predict_many([text])[0]
        assert fast.label == batch.label
        assert fast.confidence == pytest.approx(batch.confidence)


def test_report_gives_the_directorate_accuracy_before_the_last_line():
    texts, labels = ASFALT + COP, ["asfalt"] * len(ASFALT) + ["cop"] * len(COP)
    model = TextClassifier.fit(texts, labels, CATEGORIES[:2])
    metrics = evaluate(model, ["yolda çukur", "çöpler alınmadı"], ["asfalt", "cop"], {})
    assert "directorate_accuracy" not in metrics
    # Two categories of one directorate: a confusion between them is still right there.
    same = {"asfalt": "fen", "cop": "fen"}
    metrics = evaluate(model, ["yolda çukur", "yolda çukur"], ["asfalt", "cop"], same)
    assert metrics["accuracy"] == 0.5 and metrics["directorate_accuracy"] == 1.0
    lines = format_report(metrics).splitlines()
    assert lines[-2] == "directorate accuracy 1.000"
    assert lines[-1] == "accuracy 0.500 macro_f1 0.333"


def test_evaluate_command_takes_the_categories_file(tmp_path):
    def write(name, header, rows):
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return str(path)

    train = write(
        "train.csv",
        ["text", "category"],
        [(t, "asfalt") for t in ASFALT] + [(t, "cop") for t in COP],
    )
    test = write(
        "test.csv",
        ["text", "category"],
        [("yolda çukur", "asfalt"), ("çöpler alınmadı", "cop"), ("sivrisinek çok", "hasere")],
    )
    cats = write(
        "categories.csv",
        ["code", "name", "directorate", "keywords"],
        [(c.code, c.name, c.directorate, c.keywords) for c in CATEGORIES],
    )
    out = io.StringIO()
    call_command(
        "routing", "evaluate", "--train", train, "--test", test, "--categories", cats, stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    assert "3 categories" in lines[0]
    assert lines[-2] == "directorate accuracy 1.000"
    assert re.fullmatch(r"accuracy 1\.000 macro_f1 1\.000", lines[-1])
