"""Microsoft's tutorial "Create your first access package", driven through Microsoft's own
Python SDK (msgraph-sdk's GraphServiceClient) against Gatehouse's Graph v1.0 API.

Run (from the repository root, with Gatehouse listening and the fixtures made):

    python3 -m venv /tmp/graphvenv
    /tmp/graphvenv/bin/pip install -r tests/graph/requirements.txt
    GATEHOUSE_URL=http://127.0.0.1:41234 \
    ADMIN_TOKEN=...  USER_TOKEN=... \
    ADMIN1_ID=<uuid> USER1_ID=<uuid> GROUP_ID=<uuid of "Marketing resources"> \
    /tmp/graphvenv/bin/python tests/graph/tutorial.py [--verbose]

GATEHOUSE_URL has no trailing slash; the SDK is pointed at GATEHOUSE_URL + "/v1.0".
ADMIN_TOKEN acts as Admin1 (Global administrator; EntitlementManagement.ReadWrite.All,
User.Read.All, Group.ReadWrite.All), USER_TOKEN as User1 (EntitlementManagement.ReadWrite.All).
GROUP_ID is a group that is in no catalog yet. `--verbose` logs every request and response
(method, URL, headers, body). The last line is "N passed, N failed[, N skipped]"; the exit code
is 0 only when every step passed, 1 otherwise (the failing step, the request the SDK made and
the ODataError's code and message are printed).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
import traceback
import uuid
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import urlparse

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.identity_governance.entitlement_management.access_packages.item.access_package_item_request_builder import (
    AccessPackageItemRequestBuilder,
)
from msgraph.generated.identity_governance.entitlement_management.assignments.assignments_request_builder import (
    AssignmentsRequestBuilder,
)
from msgraph.generated.models.access_package import AccessPackage
from msgraph.generated.models.access_package_approval_stage import AccessPackageApprovalStage
from msgraph.generated.models.access_package_assignment import AccessPackageAssignment
from msgraph.generated.models.access_package_assignment_approval_settings import (
    AccessPackageAssignmentApprovalSettings,
)
from msgraph.generated.models.access_package_assignment_policy import AccessPackageAssignmentPolicy
from msgraph.generated.models.access_package_assignment_request import AccessPackageAssignmentRequest
from msgraph.generated.models.access_package_assignment_requestor_settings import (
    AccessPackageAssignmentRequestorSettings,
)
from msgraph.generated.models.access_package_assignment_state import AccessPackageAssignmentState
from msgraph.generated.models.access_package_catalog import AccessPackageCatalog
from msgraph.generated.models.access_package_catalog_state import AccessPackageCatalogState
from msgraph.generated.models.access_package_request_state import AccessPackageRequestState
from msgraph.generated.models.access_package_request_type import AccessPackageRequestType
from msgraph.generated.models.access_package_resource import AccessPackageResource
from msgraph.generated.models.access_package_resource_request import AccessPackageResourceRequest
from msgraph.generated.models.access_package_resource_role import AccessPackageResourceRole
from msgraph.generated.models.access_package_resource_role_scope import AccessPackageResourceRoleScope
from msgraph.generated.models.access_package_resource_scope import AccessPackageResourceScope
from msgraph.generated.models.allowed_target_scope import AllowedTargetScope
from msgraph.generated.models.approval_stage import ApprovalStage
from msgraph.generated.models.expiration_pattern import ExpirationPattern
from msgraph.generated.models.expiration_pattern_type import ExpirationPatternType
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.single_user import SingleUser
from msgraph_core import GraphClientFactory
import msgraph.graph_request_adapter as graph_request_adapter_module

# How long to wait for work Gatehouse may do after answering (delivery, removal).
SETTLE_SECONDS = float(os.environ.get("GRAPH_SETTLE_SECONDS", "20"))

# Durations are given as ISO 8601 strings, as Microsoft's own Python snippets do: the SDK's JSON
# writer sends a datetime.timedelta as str(timedelta) ("30 days, 0:00:00"), not as "P30D".
POLICY_DURATION = "P30D"
APPROVAL_TIMEOUT = "P14D"


# ---------------------------------------------------------------- client set-up


class StaticTokenProvider(AccessTokenProvider):
    """Hands the SDK a fixed bearer token, only for the allowed host(s)."""

    def __init__(self, token: str, hosts: list[str]) -> None:
        self._token = token
        self._validator = AllowedHostsValidator(hosts)

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] = {}
    ) -> str:
        if not self._validator.is_url_host_valid(uri):
            return ""
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._validator


class Wire:
    """Records what went over the wire (httpx event hooks) so a failure can show it."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.last_request: Optional[httpx.Request] = None
        self.last_response: Optional[httpx.Response] = None

    async def on_request(self, request: httpx.Request) -> None:
        self.last_request = request
        self.last_response = None
        if self.verbose:
            print("  >>", describe_request(request), flush=True)

    async def on_response(self, response: httpx.Response) -> None:
        await response.aread()
        self.last_response = response
        if self.verbose:
            print("  <<", describe_response(response), flush=True)


def describe_request(request: httpx.Request) -> str:
    headers = {
        k: ("Bearer ***" if k.lower() == "authorization" else v) for k, v in request.headers.items()
    }
    body = request.content.decode("utf-8", "replace") if request.content else ""
    return f"{request.method} {request.url}\n     headers: {headers}\n     body: {body}"


def describe_response(response: httpx.Response) -> str:
    text = response.content.decode("utf-8", "replace") if response.content else ""
    if len(text) > 4000:
        text = text[:4000] + "…"
    return f"{response.status_code} {response.headers.get('content-type', '')}\n     body: {text}"


def make_client(base: str, token: str, wire: Wire) -> GraphServiceClient:
    host = urlparse(base).hostname or "127.0.0.1"
    hosts = sorted({host, "127.0.0.1"})
    auth_provider = BaseBearerTokenAuthenticationProvider(StaticTokenProvider(token, hosts))
    # The same httpx client GraphRequestAdapter(auth_provider) builds by default (Graph's
    # middleware and options), with event hooks added to record the traffic.
    http_client = GraphClientFactory.create_with_default_middleware(
        options=graph_request_adapter_module.options
    )
    http_client.event_hooks = {"request": [wire.on_request], "response": [wire.on_response]}
    adapter = GraphRequestAdapter(auth_provider, client=http_client)
    adapter.base_url = base + "/v1.0"
    return GraphServiceClient(request_adapter=adapter)


# ---------------------------------------------------------------- helpers


async def collect(builder: Any, config: Optional[RequestConfiguration] = None) -> list:
    """GET a collection and follow @odata.nextLink."""
    page = await builder.get(request_configuration=config)
    assert page is not None, "the collection GET returned no body"
    items = list(page.value or [])
    for _ in range(100):
        if not page.odata_next_link:
            break
        page = await builder.with_url(page.odata_next_link).get()
        assert page is not None, "a next page returned no body"
        items.extend(page.value or [])
    return items


async def eventually(what: str, probe: Callable[[], Awaitable[Any]], seconds: float = SETTLE_SECONDS):
    """Call probe until it returns something truthy, for up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")
        await asyncio.sleep(0.5)


def enum_text(value: Any) -> Any:
    return getattr(value, "value", value)


class Ctx:
    def __init__(self, env: dict[str, str], admin: GraphServiceClient, user: GraphServiceClient):
        self.env = env
        self.admin = admin
        self.user = user
        self.catalog_id = ""
        self.resource: Optional[AccessPackageResource] = None
        self.package_id = ""
        self.policy_id = ""
        self.request_id = ""
        self.assignment_id = ""

    @property
    def em_admin(self):
        return self.admin.identity_governance.entitlement_management

    @property
    def em_user(self):
        return self.user.identity_governance.entitlement_management


def member_role_and_scope(group_id: str, resource_id: str):
    role = AccessPackageResourceRole(
        origin_id="Member_" + group_id,
        origin_system="AadGroup",
        resource=AccessPackageResource(id=resource_id, origin_id=group_id, origin_system="AadGroup"),
    )
    scope = AccessPackageResourceScope(origin_id=group_id, origin_system="AadGroup")
    return role, scope


async def group_member_ids(ctx: Ctx) -> set[str]:
    members = await collect(ctx.admin.groups.by_group_id(ctx.env["GROUP_ID"]).members)
    return {m.id for m in members if m.id}


# ---------------------------------------------------------------- the steps


async def step1_catalog(ctx: Ctx) -> None:
    catalogs = await collect(ctx.em_admin.catalogs)
    # The tutorial works in the directory's default catalog: Gatehouse's is "Default catalog".
    general = next((c for c in catalogs if c.display_name in ("Default catalog", "General")), None)
    if general is not None:
        ctx.catalog_id = general.id
        print(f"  default catalog found: {general.id} (of {len(catalogs)} catalogs)")
    else:
        created = await ctx.em_admin.catalogs.post(
            AccessPackageCatalog(
                display_name="Marketing",
                description="Marketing catalog",
                state=AccessPackageCatalogState.Published,
                is_externally_visible=False,
            )
        )
        assert created is not None and created.id, "creating catalog 'Marketing' returned no id"
        ctx.catalog_id = created.id
        print(f"  no default catalog among {len(catalogs)} catalogs; created 'Marketing': {created.id}")
    assert ctx.catalog_id, "no catalog id"


async def step2_add_group(ctx: Ctx) -> None:
    group_id = ctx.env["GROUP_ID"]
    rr = await ctx.em_admin.resource_requests.post(
        AccessPackageResourceRequest(
            request_type=AccessPackageRequestType.AdminAdd,
            resource=AccessPackageResource(origin_id=group_id, origin_system="AadGroup"),
            catalog=AccessPackageCatalog(id=ctx.catalog_id),
        )
    )
    assert rr is not None and rr.id, "the resource request came back without an id"
    print(f"  resource request {rr.id}: requestType={enum_text(rr.request_type)} state={enum_text(rr.state)}")
    resources = await collect(ctx.em_admin.catalogs.by_access_package_catalog_id(ctx.catalog_id).resources)
    found = next((r for r in resources if r.origin_id == group_id), None)
    assert found is not None, f"no resource with originId {group_id} in catalog {ctx.catalog_id}"
    assert found.id, "the catalog resource has no id"
    assert found.origin_system == "AadGroup", f"originSystem is {found.origin_system!r}"
    ctx.resource = found
    print(f"  catalog resource {found.id}: {found.display_name!r} originSystem={found.origin_system}")


async def step3_package(ctx: Ctx) -> None:
    pkg = await ctx.em_admin.access_packages.post(
        AccessPackage(
            display_name="Web project access package",
            description="Access package for the Engineering web project",
            catalog=AccessPackageCatalog(id=ctx.catalog_id),
        )
    )
    assert pkg is not None and pkg.id, "creating the access package returned no id"
    assert pkg.display_name == "Web project access package", f"displayName {pkg.display_name!r}"
    ctx.package_id = pkg.id
    print(f"  access package {pkg.id}: {pkg.display_name!r}")

    role, scope = member_role_and_scope(ctx.env["GROUP_ID"], ctx.resource.id)
    pkg_builder = ctx.em_admin.access_packages.by_access_package_id(ctx.package_id)
    rrs = await pkg_builder.resource_role_scopes.post(AccessPackageResourceRoleScope(role=role, scope=scope))
    assert rrs is not None and rrs.id, "adding the resource role scope returned no id"
    print(f"  resource role scope {rrs.id}")

    query = AccessPackageItemRequestBuilder.AccessPackageItemRequestBuilderGetQueryParameters(
        expand=["resourceRoleScopes($expand=role,scope)"]
    )
    got = await pkg_builder.get(request_configuration=RequestConfiguration(query_parameters=query))
    assert got is not None, "GET access package returned no body"
    scopes = got.resource_role_scopes or []
    assert len(scopes) == 1, f"expected 1 resource role scope, got {len(scopes)}"
    assert scopes[0].role is not None and (scopes[0].role.origin_id or "").startswith("Member_"), (
        f"role originId is {getattr(scopes[0].role, 'origin_id', None)!r}"
    )
    assert scopes[0].scope is not None, "the role scope has no expanded scope"
    print(f"  expanded: role={scopes[0].role.origin_id} ({scopes[0].role.display_name}) scope={scopes[0].scope.origin_id}")


async def step4_policy(ctx: Ctx) -> None:
    policy = await ctx.em_admin.assignment_policies.post(
        AccessPackageAssignmentPolicy(
            display_name="Internal user policy",
            description="Allows users in this directory to request access to web project resources",
            allowed_target_scope=AllowedTargetScope.SpecificDirectoryUsers,
            specific_allowed_targets=[SingleUser(user_id=ctx.env["USER1_ID"], description="User1")],
            access_package=AccessPackage(id=ctx.package_id),
            expiration=ExpirationPattern(type=ExpirationPatternType.AfterDuration, duration=POLICY_DURATION),
            requestor_settings=AccessPackageAssignmentRequestorSettings(
                enable_targets_to_self_add_access=True,
                enable_targets_to_self_update_access=False,
                enable_targets_to_self_remove_access=False,
                allow_custom_assignment_schedule=False,
                enable_on_behalf_requestors_to_add_access=False,
                enable_on_behalf_requestors_to_update_access=False,
                enable_on_behalf_requestors_to_remove_access=False,
                on_behalf_requestors=[],
            ),
            request_approval_settings=AccessPackageAssignmentApprovalSettings(
                is_approval_required_for_add=True,
                is_approval_required_for_update=False,
                stages=[
                    AccessPackageApprovalStage(
                        duration_before_automatic_denial=APPROVAL_TIMEOUT,
                        is_approver_justification_required=False,
                        is_escalation_enabled=False,
                        primary_approvers=[SingleUser(user_id=ctx.env["ADMIN1_ID"])],
                    )
                ],
            ),
        )
    )
    assert policy is not None and policy.id, "creating the policy returned no id"
    assert policy.display_name == "Internal user policy", f"displayName {policy.display_name!r}"
    assert policy.allowed_target_scope == AllowedTargetScope.SpecificDirectoryUsers, (
        f"allowedTargetScope {enum_text(policy.allowed_target_scope)!r}"
    )
    ctx.policy_id = policy.id
    exp = policy.expiration
    print(
        f"  policy {policy.id}: {policy.display_name!r} allowedTargetScope={enum_text(policy.allowed_target_scope)}"
        f" expiration={enum_text(exp.type) if exp else None}/{exp.duration if exp else None}"
    )


async def step5_request(ctx: Ctx) -> None:
    req = await ctx.em_user.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.UserAdd,
            justification="Working on the web project",
            # The SDK's accessPackageAssignment model has no accessPackageId/assignmentPolicyId
            # properties; Graph reads them from the assignment object, so they go in additional_data.
            assignment=AccessPackageAssignment(
                additional_data={"accessPackageId": ctx.package_id, "assignmentPolicyId": ctx.policy_id}
            ),
        )
    )
    assert req is not None and req.id, "the assignment request came back without an id"
    ctx.request_id = req.id
    print(f"  request {req.id}: state={enum_text(req.state)} status={req.status}")
    pending_states = {AccessPackageRequestState.Submitted, AccessPackageRequestState.PendingApproval}
    assert req.state in pending_states or (req.status or "").lower() in {"accepted", "pendingapproval"}, (
        f"expected state submitted/pendingApproval, got state={enum_text(req.state)} status={req.status}"
    )

    mine = await collect(ctx.em_user.assignment_requests.filter_by_current_user_with_on("target"))
    match = next((r for r in mine if r.id == ctx.request_id), None)
    assert match is not None, f"filterByCurrentUser(on='target') has {len(mine)} requests, not {ctx.request_id}"
    print(f"  User1 sees it (filterByCurrentUser target): state={enum_text(match.state)} status={match.status}")


async def step6_approve(ctx: Ctx) -> None:
    approvals_builder = ctx.em_admin.access_package_assignment_approvals

    async def find():
        approvals = await collect(approvals_builder.filter_by_current_user_with_on("approver"))
        return next((a for a in approvals if a.id == ctx.request_id), None)

    approval = await eventually(f"approval {ctx.request_id} for Admin1", find)
    print(f"  Admin1 sees approval {approval.id} (filterByCurrentUser approver)")
    full = await approvals_builder.by_approval_id(ctx.request_id).get()
    assert full is not None, "GET approval returned no body"
    stages = full.stages or []
    assert stages, "the approval has no stages"
    stage = next((s for s in stages if (s.review_result or "") == "NotReviewed"), stages[0])
    assert stage.id, "the approval stage has no id"
    print(
        f"  stage {stage.id}: status={stage.status} reviewResult={stage.review_result}"
        f" assignedToMe={stage.assigned_to_me}"
    )
    await approvals_builder.by_approval_id(ctx.request_id).stages.by_approval_stage_id(stage.id).patch(
        ApprovalStage(review_result="Approve", justification="OK for the web project")
    )
    print("  approved")


async def step7_delivered(ctx: Ctx) -> None:
    user1 = ctx.env["USER1_ID"]
    query = AssignmentsRequestBuilder.AssignmentsRequestBuilderGetQueryParameters(expand=["target", "accessPackage"])
    config = RequestConfiguration(query_parameters=query)
    seen: list = []

    async def find():
        assignments = await collect(ctx.em_admin.assignments, config)
        seen[:] = assignments
        for a in assignments:
            if (
                a.target is not None
                and a.target.object_id == user1
                and a.access_package is not None
                and a.access_package.id == ctx.package_id
                and a.state == AccessPackageAssignmentState.Delivered
            ):
                return a
        return None

    try:
        assignment = await eventually("a delivered assignment of User1", find)
    except AssertionError:
        for a in seen:
            print(
                f"  seen: {a.id} target={getattr(a.target, 'object_id', None)}"
                f" package={getattr(a.access_package, 'id', None)} state={enum_text(a.state)} status={a.status}"
            )
        raise
    ctx.assignment_id = assignment.id
    print(
        f"  assignment {assignment.id}: target={assignment.target.object_id} ({assignment.target.display_name})"
        f" package={assignment.access_package.display_name!r} state={enum_text(assignment.state)}"
        f" status={assignment.status}"
    )

    mine = await collect(ctx.em_user.assignments.filter_by_current_user_with_on("target"))
    assert any(a.id == ctx.assignment_id for a in mine), (
        f"User1's filterByCurrentUser(on='target') has {len(mine)} assignments, not {ctx.assignment_id}"
    )
    print("  User1 sees it (filterByCurrentUser target)")

    [members] = await eventually("User1 in the group", lambda: _member(ctx, True))
    print(f"  User1 is a member of the group ({len(members)} members)")


async def _member(ctx: Ctx, wanted: bool):
    ids = await group_member_ids(ctx)
    return [ids] if ((ctx.env["USER1_ID"] in ids) == wanted) else None


async def step8_remove(ctx: Ctx) -> None:
    req = await ctx.em_admin.assignment_requests.post(
        AccessPackageAssignmentRequest(
            request_type=AccessPackageRequestType.AdminRemove,
            assignment=AccessPackageAssignment(id=ctx.assignment_id),
        )
    )
    assert req is not None and req.id, "the removal request came back without an id"
    print(f"  removal request {req.id}: state={enum_text(req.state)} status={req.status}")

    item = ctx.em_admin.assignments.by_access_package_assignment_id(ctx.assignment_id)
    last: list = []

    async def gone():
        a = await item.get()
        assert a is not None, "GET assignment returned no body"
        last[:] = [a]
        status = (a.status or "").lower()
        return a if (a.state == AccessPackageAssignmentState.Expired or status in {"expired", "removed"}) else None

    try:
        a = await eventually("the assignment to be expired/removed", gone)
    except AssertionError:
        if last:
            print(f"  last seen: state={enum_text(last[0].state)} status={last[0].status}")
        raise
    print(f"  assignment {a.id}: state={enum_text(a.state)} status={a.status}")
    await eventually("User1 out of the group", lambda: _member(ctx, False))
    print("  User1 is no longer a member of the group")


async def step9_not_found(ctx: Ctx) -> None:
    missing = str(uuid.uuid4())
    try:
        await ctx.em_admin.access_packages.by_access_package_id(missing).get()
    except ODataError as e:
        code = e.error.code if e.error else None
        message = e.error.message if e.error else None
        print(f"  ODataError status={e.response_status_code} code={code!r} message={message!r}")
        assert e.response_status_code == 404, f"expected HTTP 404, got {e.response_status_code}"
        assert code, "error.code is empty"
        return
    raise AssertionError(f"GET accessPackages/{missing} did not raise ODataError")


STEPS: list[tuple[str, Callable[[Ctx], Awaitable[None]]]] = [
    ("1 find the catalog", step1_catalog),
    ("2 add the group to the catalog", step2_add_group),
    ("3 create the access package and add the group's Member role", step3_package),
    ("4 create the assignment policy", step4_policy),
    ("5 User1 requests the access package", step5_request),
    ("6 Admin1 approves the request", step6_approve),
    ("7 the assignment is delivered", step7_delivered),
    ("8 Admin1 removes the assignment", step8_remove),
    ("9 a missing access package is an ODataError 404", step9_not_found),
]


# ---------------------------------------------------------------- main


def report_failure(name: str, exc: BaseException, wire: Wire) -> None:
    print(f"FAILED: step {name}")
    if isinstance(exc, ODataError):
        err = exc.error
        print(
            f"  ODataError: HTTP {exc.response_status_code} code={getattr(err, 'code', None)!r}"
            f" message={getattr(err, 'message', None)!r}"
        )
    elif isinstance(exc, APIError):
        print(f"  APIError: HTTP {exc.response_status_code} {exc.message}")
    elif isinstance(exc, AssertionError):
        print(f"  assertion: {exc}")
    elif isinstance(exc, httpx.HTTPError):
        print(f"  {type(exc).__name__}: {exc} (is Gatehouse listening at {os.environ.get('GATEHOUSE_URL')}?)")
    else:
        print(f"  {type(exc).__name__}: {exc}")
        traceback.print_exception(exc)
    if wire.last_request is not None:
        print("  last request:", describe_request(wire.last_request))
    if wire.last_response is not None:
        print("  last response:", describe_response(wire.last_response))


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="log every request and response")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="  %(name)s: %(message)s")
        logging.getLogger("httpx").setLevel(logging.DEBUG)

    names = ["GATEHOUSE_URL", "ADMIN_TOKEN", "USER_TOKEN", "USER1_ID", "ADMIN1_ID", "GROUP_ID"]
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        print("missing environment variables: " + ", ".join(missing))
        print(f"0 passed, 1 failed, {len(STEPS) - 1} skipped")
        return 1
    env = {n: os.environ[n].strip() for n in names}
    env["GATEHOUSE_URL"] = env["GATEHOUSE_URL"].rstrip("/")

    wire = Wire(args.verbose)
    ctx = Ctx(
        env,
        make_client(env["GATEHOUSE_URL"], env["ADMIN_TOKEN"], wire),
        make_client(env["GATEHOUSE_URL"], env["USER_TOKEN"], wire),
    )
    passed = 0
    for index, (name, step) in enumerate(STEPS):
        print(f"step {name}")
        try:
            await step(ctx)
        except Exception as exc:  # noqa: BLE001 - every failure is reported the same way
            report_failure(name, exc, wire)
            print(f"{passed} passed, 1 failed, {len(STEPS) - index - 1} skipped")
            return 1
        passed += 1
        print(f"ok: step {name}")
    print(f"{passed} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
