"""Routing: which pipeline? Cross-validated comparison on the TRAINING split only.

Every variant is trained by the production code (kent360.routing.ml.TextClassifier.fit
with different Options) in 5 stratified folds of benchmarks/data/realistic_train.csv
(plus, for the variants marked "+demo", the demo training texts in every training fold);
the test split (realistic_test.csv) is never read here, so the choice of the defaults does
not look at the figures it is later judged by.

Run: /work/main/.venv/bin/python benchmarks/routing_compare.py [VARIANT ...]
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kent360.settings")
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
DATA = ROOT / "benchmarks" / "data"


def read(name: str) -> tuple[list[str], list[str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def main() -> None:
    import django

    django.setup()
    from sklearn.model_selection import StratifiedKFold

    from kent360.routing.management.commands.routing import read_categories
    from kent360.routing.ml import Options, TextClassifier, evaluate

    x, y = read("realistic_train.csv")
    categories = read_categories(str(DATA / "categories.csv"))
    directorates = {c.code: c.directorate for c in categories}
    wc = ("word", "char")
    wsc = ("word", "stem", "char")
    variants = {
        "old: word+char svm C=0.5": Options(features=wc, c=0.5, pseudo=False),
        "word+stem+char svm C=0.5": Options(features=wsc, c=0.5, pseudo=False),
        "stem+char svm C=0.5": Options(features=("stem", "char"), c=0.5, pseudo=False),
        "word+stem+char svm C=0.5 +pseudo": Options(features=wsc, c=0.5),
        "stem+char svm C=0.3 +pseudo": Options(features=("stem", "char"), c=0.3),
        "stem+char svm C=0.3 +pseudo +kw0.3<0.5": Options(
            features=("stem", "char"), c=0.3, keyword_weight=0.3
        ),
        "stem+char svm C=0.3 +pseudo +kw1<0.5": Options(
            features=("stem", "char"), c=0.3, keyword_weight=1.0
        ),
        "stem+char svm C=0.3 +pseudo +kw0.3<1": Options(
            features=("stem", "char"), c=0.3, keyword_weight=0.3, keyword_unsure=1.0
        ),
        "stem+char svm C=cv +pseudo": Options(features=("stem", "char")),
        "stem4+char svm C=0.3 +pseudo": Options(features=("stem", "char"), c=0.3, stem_length=4),
        "stem6+char svm C=0.3 +pseudo": Options(features=("stem", "char"), c=0.3, stem_length=6),
        "stem+char logreg C=0.5 +pseudo": Options(
            features=("stem", "char"), classifier="logreg", c=0.5
        ),
        "word+char svm C=0.5 +pseudo": Options(features=wc, c=0.5),
        "word+stem+char svm C=0.1 +pseudo": Options(features=wsc, c=0.1),
        "word+stem+char svm C=0.3 +pseudo": Options(features=wsc, c=0.3),
        "word+stem+char svm C=1 +pseudo": Options(features=wsc, c=1.0),
        "word+stem+char svm C=3 +pseudo": Options(features=wsc, c=3.0),
        "word+stem+char svm C=cv +pseudo": Options(features=wsc),
        "word+stem+char logreg C=0.5 +pseudo": Options(features=wsc, classifier="logreg", c=0.5),
        "word+stem+char logreg C=3 +pseudo": Options(features=wsc, classifier="logreg", c=3.0),
        "word+stem+char cnb a=0.1 +pseudo": Options(features=wsc, classifier="cnb", c=0.1),
        "word+stem+char cnb a=0.5 +pseudo": Options(features=wsc, classifier="cnb", c=0.5),
    }
    wanted = sys.argv[1:]
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=1).split(x, y))
    print(f"{'variant':40} {'acc':>6} {'macroF1':>8} {'dir':>6} {'s':>5}")
    for name, options in variants.items():
        if wanted and not any(w in name for w in wanted):
            continue
        started = time.perf_counter()
        acc = f1 = direc = 0.0
        for train_idx, valid_idx in folds:
            model = TextClassifier.fit(
                [x[i] for i in train_idx],
                [y[i] for i in train_idx],
                categories if options.pseudo else (),
                options,
            )
            m = evaluate(model, [x[i] for i in valid_idx], [y[i] for i in valid_idx], directorates)
            acc += m["accuracy"] / len(folds)
            f1 += m["macro_f1"] / len(folds)
            direc += m["directorate_accuracy"] / len(folds)
        seconds = time.perf_counter() - started
        print(f"{name:40} {acc:6.3f} {f1:8.3f} {direc:6.3f} {seconds:5.0f}", flush=True)


if __name__ == "__main__":
    main()
