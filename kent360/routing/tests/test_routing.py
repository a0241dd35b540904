"""Routing: auto-assignment above the threshold, triage below, keyword rules without
history, labels from human picks, retraining that refuses a worse model, the evaluate
command and the fast prediction path."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import translation

from kent360.organizations.models import Role
from kent360.requests import selectors as req_selectors
from kent360.requests import services as req_services
from kent360.routing import services
from kent360.routing.ml import TextClassifier, normalise_batch
from kent360.routing.models import RoutingDecision, RoutingModel

ASFALT = [
    "Yolda derin çukur var, araçlar zarar görüyor",
    "Asfalt çökmüş, yama yapılmalı",
    "sokagimizda cukur var gece gorulmuyor",
    "Caddenin asfaltı delik deşik oldu",
    "Kazı sonrası asfalt kapatılmadı, çukur kaldı",
    "Yol bozuk, asfalt dökülmesini istiyoruz",
    "ASFALT KABARDI ARABALAR ZIPLIYOR",
    "Köşedeki çukura motosiklet düştü",
    "Yama yapılan asfalt yine söküldü",
    "Ana caddede çukurlar çoğaldı",
    "asfaltta catlaklar ve cukurlar olustu",
    "Yol çöktü, acil asfalt lazım",
]
COP = [
    "Çöpler üç gündür alınmadı",
    "Konteyner taşıyor, koku var",
    "cop arabasi gelmedi bu hafta",
    "Çöp konteynerinin kapağı kırık",
    "Sokağa ek çöp konteyneri istiyoruz",
    "ÇÖPLER TOPLANMIYOR",
    "Çöp kamyonu çok gürültülü geliyor",
    "Konteynerin etrafı çöp poşeti dolu",
    "copler toplanmiyor koku dayanilmaz",
    "Geri dönüşüm konteyneri konulsun",
    "Çöp toplama saati değişsin",
    "Bayramdan beri çöpler duruyor",
]


def _history(world, make_request, copies: int = 2) -> None:
    for _ in range(copies):
        for text in ASFALT:
            make_request(subject=text[:40], text=text, category=world.cat_asfalt, notify=False)
        for text in COP:
            make_request(subject=text[:40], text=text, category=world.cat_cop, notify=False)


@pytest.fixture
def trained(world, make_request):
    _history(world, make_request)
    result = services.routing_train(organisation=world.org)
    assert result.accepted, result.reason
    return result


@translation.override("en")
def test_confident_request_is_assigned_automatically(world, make_request, trained):
    settings_row = services.routing_settings_get(world.org)
    settings_row.threshold = 0.6
    settings_row.save()
    r = make_request(
        subject="Çukur", text="Evimizin önündeki yolda kocaman bir çukur var", category=None
    )
    r.refresh_from_db()
    decision = RoutingDecision.objects.get(request=r)
    assert decision.auto_routed and decision.confidence >= 0.6
    assert r.state == "assigned" and r.category == world.cat_asfalt and r.directorate == world.fen
    event = r.events.get(type="assigned")
    assert re.fullmatch(r"auto-routed, confidence 0\.\d\d", event.text)
    assert event.data["confidence"] == pytest.approx(decision.confidence, abs=1e-4)
    assert event.data["model_version"] == trained.model.version


@translation.override("en")
def test_unsure_request_goes_to_the_triage_queue(world, make_request, trained, client):
    settings_row = services.routing_settings_get(world.org)
    settings_row.threshold = 0.99
    settings_row.save()
    r = make_request(subject="Bilgi", text="Belediyeye bir sorum olacaktı", category=None)
    r.refresh_from_db()
    assert r.state == "received" and r.directorate is None and r.category is None
    decision = RoutingDecision.objects.get(request=r)
    assert not decision.auto_routed and decision.confidence < 0.99
    assert r.events.filter(type="routing").get().text.startswith("to the triage queue")
    agent = world.staff[Role.AGENT]
    inbox = req_selectors.request_list(staff=agent, filters=req_selectors.InboxFilters(triage=True))
    assert list(inbox) == [r]
    from kent360.testing import login

    login(client, agent)
    page = client.get("/routing/triage/")
    assert r.tracking_code in page.content.decode()
    assert r.tracking_code in client.get("/requests/?triage=on").content.decode()


def test_human_pick_and_transfer_become_labels(world, make_request, trained):
    settings_row = services.routing_settings_get(world.org)
    settings_row.threshold = 1.0
    settings_row.save()
    r = make_request(subject="Karışık", text="Konteyner yol kenarında çukura düştü", category=None)
    req_services.request_triage(request=r, actor=world.staff[Role.AGENT], category=world.cat_cop)
    req_services.request_transfer(
        request=r, actor=world.staff[Role.PR_MANAGER], directorate=world.fen, reason="Yol işi"
    )
    examples = {e.tracking_code: e for e in services.routing_examples(world.org)}
    assert examples[r.tracking_code].category == "cop"
    assert examples[r.tracking_code].directorate == "fen"


def test_auto_routed_and_unconfirmed_is_not_a_label(world, make_request, trained):
    settings_row = services.routing_settings_get(world.org)
    settings_row.threshold = 0.0
    settings_row.save()
    r = make_request(subject="Çöp", text="Çöpler alınmadı", category=None)
    r.refresh_from_db()
    assert r.state == "assigned"
    codes = {e.tracking_code for e in services.routing_examples(world.org)}
    assert r.tracking_code not in codes


def test_keyword_rules_route_without_history(world, make_request):
    world.cat_cop.keywords = "çöp\nkonteyner\ntoplanmadı"
    world.cat_cop.save()
    r = make_request(subject="ÇÖPLER", text="Konteynerdeki çöpler toplanmadı", category=None)
    r.refresh_from_db()
    decision = RoutingDecision.objects.get(request=r)
    assert decision.source == "keywords" and decision.confidence == pytest.approx(0.875)
    assert r.state == "assigned" and r.category == world.cat_cop
    weak = make_request(subject="Soru", text="Konteyner ne zaman gelir", category=None)
    weak.refresh_from_db()
    assert weak.state == "received" and weak.routing_decision.category == world.cat_cop


def test_request_with_a_category_is_not_routed(world, make_request, trained):
    r = make_request()
    assert not RoutingDecision.objects.filter(request=r).exists()


def test_retraining_refuses_a_worse_model(world, make_request, trained):
    v1 = trained.model
    # Staff "correct" every training request to the wrong category: the next model learns
    # nonsense and is judged on the held-out requests, whose labels are still right.
    for e in services.routing_examples(world.org):
        if not services.is_held_out(e.tracking_code):
            r = world.org.requests.get(tracking_code=e.tracking_code)
            r.category = world.cat_cop if e.category == "asfalt" else world.cat_asfalt
            r.save()
    result = services.routing_train(organisation=world.org)
    assert not result.accepted
    assert result.metrics["macro_f1"] < result.current_metrics["macro_f1"]
    assert RoutingModel.objects.get(is_current=True) == v1
    refused = RoutingModel.objects.get(version=v1.version + 1)
    assert not refused.accepted and not refused.is_current
    assert refused.metrics["current_on_same_set"]["macro_f1"] == result.current_metrics["macro_f1"]


def test_retraining_with_more_history_replaces_the_model(world, make_request, trained):
    _history(world, make_request, copies=1)
    result = services.routing_train(organisation=world.org)
    assert result.accepted
    assert RoutingModel.objects.get(is_current=True).version == trained.model.version + 1


@translation.override("en")
def test_train_command_prints_the_report(world, make_request):
    _history(world, make_request)
    out = io.StringIO()
    call_command("routing", "train", "--org", "bornova", stdout=out)
    text = out.getvalue()
    assert "is now current" in text
    assert re.search(r"^accuracy \d\.\d{3} macro_f1 \d\.\d{3}$", text, re.M)


def test_evaluate_command_on_csv_files(tmp_path):
    def write(name, rows):
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "category"])
            writer.writerows(rows)
        return str(path)

    train = write("train.csv", [(t, "asfalt") for t in ASFALT] + [(t, "cop") for t in COP])
    test = write("test.csv", [("yolda çukur", "asfalt"), ("çöpler alınmadı", "cop")])
    out = io.StringIO()
    call_command("routing", "evaluate", "--train", train, "--test", test, stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last == "accuracy 1.000 macro_f1 1.000"


def test_fast_path_gives_the_pipeline_probabilities():
    texts = ASFALT + COP
    labels = ["asfalt"] * len(ASFALT) + ["cop"] * len(COP)
    three = [*texts, "Parkta salıncak kırık", "Park bakımsız", "Parkın lambaları yanmıyor"]
    model = TextClassifier.fit(three, [*labels, "park", "park", "park"])
    model = TextClassifier.loads(model.dumps())
    for text in ["Bornova'da ÇUKUR", "konteyner", "şikayet"]:
        fast = model.predict(text)
        slow = model.pipeline.predict_proba([text])[0]
        assert fast.confidence == pytest.approx(float(np.max(slow)))
        assert fast.label == model.labels[int(np.argmax(slow))]


def test_normalisation_meets_turkish_persian_variants():
    a, b = normalise_batch(["Bornova'da ÇÖP İSTİYORUZ", "bornova da cop istiyoruz"])
    assert a == b
    fa1, fa2 = normalise_batch(["شهرداري كوچه ۱۲", "شهرداری کوچه 12"])
    assert fa1 == fa2
