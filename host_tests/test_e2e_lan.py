# Found and read on the LAN by real clients: PyPI zeroconf browses and resolves the firmware's
# DNS-SD records, python-homewizard-energy (what Home Assistant's integration uses) reads and
# identifies it, and a flood of bad packets changes nothing. Runs in a network namespace of its
# own (host_tests/lan_scenario.py), which the test creates and which ends with it.
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def _namespace_possible():
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


def test_found_by_zeroconf_and_read_by_the_homewizard_client(tmp_path, mpy_build):
    if not _namespace_possible():
        if os.environ.get("CI") == "true":
            pytest.fail("unshare -rn (a user and network namespace) is needed for the mDNS test")
        pytest.skip("no user/network namespaces here (unshare -rn)")
    scenario = os.path.join(ROOT, "host_tests", "lan_scenario.py")
    proc = subprocess.run(
        ["unshare", "-rn", sys.executable, scenario, mpy_build, str(tmp_path)], capture_output=True, text=True, timeout=180
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("SCENARIO ")]
    assert proc.returncode == 0 and lines, proc.stdout[-4000:] + proc.stderr[-4000:]
    seen = json.loads(lines[-1][len("SCENARIO ") :])
    truth = seen["truth"]

    hw = seen["browse"]["_hwenergy._tcp.local."]
    assert hw["name"] == "hanport-ab34cd._hwenergy._tcp.local." and hw["server"] == "hanport-ab34cd.local."
    assert hw["addresses"] == ["127.0.0.1"] and hw["port"] > 0
    # every TXT key Home Assistant's zeroconf flow requires; the serial is the MAC's hex digits
    assert hw["txt"] == {
        "api_enabled": "1",
        "path": "/api/v1",
        "serial": "a4cf12ab34cd",
        "product_name": "hanport P1 meter",
        "product_type": "HWE-P1",
    }
    page = seen["browse"]["_http._tcp.local."]
    assert page["port"] == hw["port"] and page["txt"] == {"path": "/"} and page["server"] == hw["server"]

    client = seen["homewizard"]
    assert client["device"] == {"product_type": "HWE-P1", "serial": "a4cf12ab34cd", "api_version": "v1"}
    assert client["system"] == {"cloud_enabled": False} and client["identify"] is True and seen["identify_logged"]
    data = client["data"]
    # exact against the virtual meter's last telegram (kWh with 3 decimals = its Wh)
    assert round(data["total_energy_import_kwh"] * 1000) == truth["energy_import_wh"]
    assert data["total_energy_import_t1_kwh"] == data["total_energy_import_kwh"]
    assert round(data["total_energy_export_t1_kwh"] * 1000) == truth["energy_export_wh"]
    assert data["active_power_w"] == truth["power_import_w"] - truth["power_export_w"]
    for phase in ("l1", "l2", "l3"):
        net = truth["power_import_%s_w" % phase] - truth["power_export_%s_w" % phase]
        assert data["active_power_%s_w" % phase] == net
        current = data["active_current_%s_a" % phase]
        assert str(abs(current)) == truth["current_%s_a" % phase] and (current < 0) == (net < 0 and current != 0)

    # 3,000 bad packets later (those the socket's queue held: at most 8 are read per 50 ms) the
    # responder still answers, counted the malformed ones, and kept its heap
    assert seen["browse_after_flood"]["_hwenergy._tcp.local."]["txt"] == hw["txt"]
    mdns = seen["status"]["mdns"]
    assert mdns["queries"] >= 200 and mdns["malformed"] >= 50 and mdns["answered"] >= 2, mdns
    before, after = seen["heap_free"]
    assert before and after and after > before - 4096, (seen["heap_free"], seen["output_tail"])
