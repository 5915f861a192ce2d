"""The client's address, as seen through the proxies the settings trust."""

from rest_framework.throttling import BaseThrottle


def client_ip(request):
    """REMOTE_ADDR; behind TRUSTED_PROXY_COUNT proxies, the address the farthest of them saw.

    DRF's throttle already reads X-Forwarded-For this way (its NUM_PROXIES
    setting is TRUSTED_PROXY_COUNT): login lockouts count by the same address
    as the API's throttle. The header's entries left of the trusted ones are
    the client's to write, and are never read.
    """
    return BaseThrottle().get_ident(request)
