"""The client address every throttle and lockout counts by."""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from core.clientip import client_ip


def request(remote="203.0.113.7", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request(forwarded="198.51.100.1")) == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request(forwarded="198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_hop_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5", "198.51.100.1")) == "198.51.100.1"


def test_what_the_client_wrote_left_of_our_proxy_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client sent "X-Forwarded-For: 1.2.3.4"; two proxies of ours appended after it.
    got = client_ip(request("10.0.0.5", "1.2.3.4, 198.51.100.1, 10.0.0.9"))
    assert got == "198.51.100.1"


def test_garbage_in_the_chain_stops_at_the_last_vouched_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request("10.0.0.5", "not-an-ip")) == "10.0.0.5"


def test_ipv6_addresses_and_networks(settings):
    settings.TRUSTED_PROXIES = ["fd00::/8"]
    assert client_ip(request("fd00::1", "2001:db8::42")) == "2001:db8::42"


def test_a_bad_trusted_proxies_value_fails_loudly(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_ip(request("10.0.0.5", "198.51.100.1"))


@given(st.text(max_size=200))
def test_an_untrusted_client_never_chooses_its_address(forwarded):
    assert django_settings.TRUSTED_PROXIES == []
    assert client_ip(request(forwarded=forwarded)) == "203.0.113.7"


def test_a_connection_without_an_ip_address_counts_as_no_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_ip(request(remote="", forwarded="198.51.100.1")) == ""
