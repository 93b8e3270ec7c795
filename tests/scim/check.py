"""Runs scim2-tester (PyPI) against Gatehouse's SCIM endpoint.

Usage: check.py <base URL ending in /scim/v2> <bearer token>

Prints one line per check; exits 1 when any check ends in ERROR or CRITICAL.
"""
import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    http = Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client)
    failed = 0
    # A check the checker skips is one whose feature the server says it does not offer
    # (an optional one): named so, so that a run's log never reads as a skipped suite.
    def label(status):
        return "UNSUPPORTED" if status == Status.SKIPPED else status.name

    for result in results:
        where = f" [{result.resource_type}]" if result.resource_type else ""
        line = f"{label(result.status):<11} {result.title}{where}"
        if result.status in (Status.ERROR, Status.CRITICAL):
            failed += 1
            line += f": {result.reason}"
        elif result.status not in (Status.SUCCESS, Status.COMPLIANT):
            line += f": {result.reason}"
        print(line)
    counts = {}
    for result in results:
        counts[label(result.status)] = counts.get(label(result.status), 0) + 1
    print("summary " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
