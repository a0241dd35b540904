from kent360.intake.demo import load_demo
from kent360.intake.models import InboundMessage, Status


def test_demo_loads_items_with_one_failure_and_is_idempotent(world):
    load_demo()
    load_demo()
    assert InboundMessage.objects.filter(organisation=world.org).count() == 4
    assert InboundMessage.objects.filter(status=Status.FAILED).count() == 1
    assert InboundMessage.objects.filter(status=Status.DONE).count() == 3
