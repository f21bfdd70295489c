"""The fast lane stays fast: a test that uses an expensive fixture carries the markers that say so, so that
`make test-fast` (-m "not slow") never starts a conversion, a C++ build, qemu or a device double."""
import pytest

DEVICE_FIXTURES = {"make_device", "adb_server", "demo_apk"}
REAL_ARM_FIXTURES = {"paddle_lite_arm", "real_arm_builds", "arm_models"}
SLOW_FIXTURES = DEVICE_FIXTURES | REAL_ARM_FIXTURES | {"converted", "onnx_converted", "cxx_builds", "real_data"}


def missing_markers(fixture_names, marker_names):
    """The markers a test with these fixtures must carry and does not (pure)."""
    needed = set()
    if fixture_names & SLOW_FIXTURES:
        needed.add("slow")
    if fixture_names & DEVICE_FIXTURES:
        needed.add("device")
    if fixture_names & REAL_ARM_FIXTURES:
        needed.add("real_arm")
    if marker_names & {"device", "real_arm"}:
        needed.add("slow")  # the slices are slow by definition
    return needed - marker_names


def test_every_test_that_uses_a_slow_fixture_is_marked(request):
    # The items of this session (every test under `make test`; the fast lane's under `make test-fast`, where
    # any test still holding a slow fixture is one that the lane should have left out).
    unmarked = {}
    for item in request.session.items:
        missing = missing_markers(set(getattr(item, "fixturenames", ())), {m.name for m in item.iter_markers()})
        if missing:
            unmarked[item.nodeid] = sorted(missing)
    assert unmarked == {}


@pytest.mark.parametrize("fixtures,markers,missing", [
    ({"converted"}, set(), {"slow"}), ({"make_device"}, {"slow"}, {"device"}),
    ({"real_arm_builds"}, {"slow", "device"}, {"real_arm"}), ({"tmp_path"}, {"real_arm"}, {"slow"}),
    ({"tmp_path"}, set(), set())])
def test_the_marker_check_names_what_is_missing(fixtures, markers, missing):
    assert missing_markers(fixtures, markers) == missing
