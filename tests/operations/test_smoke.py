from events.models import Event


def test_the_demo_loads(demo):
    assert Event.objects.count() == len(demo["events"])
