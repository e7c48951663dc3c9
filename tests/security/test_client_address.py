"""Login throttling keys on the client's address, not the reverse proxy's: behind
deploy/nginx (which replaces X-Forwarded-For with the client's address), with the
settings deploy/env.example gives, two clients are two addresses and a forged header
changes nothing (django-axes with django-ipware)."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory, override_settings

BEHIND_NGINX = {
    "AXES_IPWARE_PROXY_COUNT": 0,  # deploy/env.example
    "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
}


def _env_example_count():
    from pathlib import Path

    for line in (Path(__file__).parents[2] / "deploy" / "env.example").read_text().splitlines():
        if line.startswith("AXES_IPWARE_PROXY_COUNT="):
            return int(line.split("=", 1)[1])
    pytest.fail("deploy/env.example sets no AXES_IPWARE_PROXY_COUNT")


def _address(**meta):
    return get_client_ip_address(RequestFactory().post("/login/", REMOTE_ADDR="127.0.0.1", **meta))


def test_the_shipped_count_is_the_one_tested():
    assert _env_example_count() == BEHIND_NGINX["AXES_IPWARE_PROXY_COUNT"]


@override_settings(**BEHIND_NGINX)
def test_each_client_behind_the_proxy_has_its_own_address():
    assert _address(HTTP_X_FORWARDED_FOR="203.0.113.9") == "203.0.113.9"
    assert _address(HTTP_X_FORWARDED_FOR="198.51.100.4") == "198.51.100.4"


@override_settings(**BEHIND_NGINX)
def test_a_header_nginx_would_not_send_falls_back_to_the_socket():
    # nginx replaces the header: a list means someone bypassed it; never the forged part.
    assert _address(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9") == "127.0.0.1"
    assert _address() == "127.0.0.1"


def test_without_the_setting_the_header_is_ignored():
    assert _address(HTTP_X_FORWARDED_FOR="6.6.6.6") == "127.0.0.1"
