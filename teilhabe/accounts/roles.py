"""The roles of the platform and what each may do (the capability table).

Code names are English; the UI shows the German names through the translation catalogue.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LAND = "land", _("State (ministry, LaKI, funding authority)")
    COORDINATION = "coordination", _("Coordinating office")
    CASE_WORKER = "case_worker", _("Participation management / coaching")
    VOLUNTEER = "volunteer", _("Volunteer")
    PROVIDER = "provider", _("Provider")
    ALLIANCE_MEMBER = "alliance_member", _("Alliance member")
    EVALUATOR = "evaluator", _("Evaluation")
    TENANT_ADMIN = "tenant_admin", _("Administration")


# Roles held per tenant (a membership).  ``land`` is statewide and held on the user.
TENANT_ROLES = [r for r in Role if r is not Role.LAND]

# Roles that can see personal data: the second factor is mandatory for them.
PERSONAL_DATA_ROLES = frozenset(
    {
        Role.CASE_WORKER,
        Role.VOLUNTEER,
        Role.PROVIDER,
        Role.COORDINATION,
        Role.EVALUATOR,
        Role.TENANT_ADMIN,
    }
)


class Cap:
    """Capability names.  Every check in the code names one of these."""

    TENANT_ENTER = "tenant.enter"
    DASHBOARD_VIEW = "dashboard.view"
    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW_TENANT = "audit.view_tenant"
    AUDIT_EXPORT = "audit.export"
    AUDIT_VIEW_OWN = "audit.view_own"
    PLATFORM_MANAGE = "platform.manage"
    STATEWIDE_VIEW = "statewide.view"
    OFFERS_VIEW = "offers.view"
    OFFERS_CREATE = "offers.create"
    OFFERS_EDIT = "offers.edit"
    OFFERS_IMPORT = "offers.import"
    PROVIDERS_MANAGE = "providers.manage"
    MATCHING_USE = "matching.use"
    RULES_MANAGE = "rules.manage"
    PARTICIPANTS_CREATE = "participants.create"
    PARTICIPANT_VIEW = "participant.view"
    PARTICIPANT_EDIT = "participant.edit"
    CASE_MANAGE = "case.manage"
    REFERRAL_ANSWER = "referral.answer"
    VOLUNTEER_LOG = "volunteer.log"
    VOLUNTEERS_MANAGE = "volunteers.manage"
    CASEWORK_AGGREGATES = "casework.aggregates"
    NEEDS_VIEW = "needs.view"
    NEEDS_MANAGE = "needs.manage"
    MEASURES_MANAGE = "measures.manage"
    ALLIANCE_VIEW = "alliance.view"
    ALLIANCE_MANAGE = "alliance.manage"
    ALLIANCE_TASK_UPDATE = "alliance.task_update"


ALL_TENANT_ROLES = frozenset(TENANT_ROLES)

# capability -> roles (in the tenant of the object) that hold it
CAPABILITIES: dict[str, frozenset[Role]] = {
    Cap.TENANT_ENTER: ALL_TENANT_ROLES,
    Cap.DASHBOARD_VIEW: ALL_TENANT_ROLES,
    Cap.USERS_VIEW: frozenset({Role.TENANT_ADMIN}),
    Cap.USERS_MANAGE: frozenset({Role.TENANT_ADMIN}),
    Cap.AUDIT_VIEW_TENANT: frozenset({Role.TENANT_ADMIN}),
    Cap.AUDIT_EXPORT: frozenset({Role.TENANT_ADMIN}),
    # The offer directory is not personal data: every role of the tenant may read it.
    Cap.OFFERS_VIEW: ALL_TENANT_ROLES,
    Cap.OFFERS_CREATE: frozenset({Role.COORDINATION, Role.PROVIDER}),
    # Providers edit only their own organisation's offers (object rule in policy.py).
    Cap.OFFERS_EDIT: frozenset({Role.COORDINATION, Role.PROVIDER}),
    Cap.OFFERS_IMPORT: frozenset({Role.COORDINATION}),
    Cap.PROVIDERS_MANAGE: frozenset({Role.COORDINATION}),
    Cap.MATCHING_USE: frozenset({Role.COORDINATION, Role.CASE_WORKER}),
    Cap.RULES_MANAGE: frozenset({Role.COORDINATION}),
    # Case work: full records only for the case workers of the case (and its team);
    # volunteers see their assigned participants with the released fields only.
    Cap.PARTICIPANTS_CREATE: frozenset({Role.CASE_WORKER}),
    Cap.PARTICIPANT_VIEW: frozenset({Role.CASE_WORKER, Role.VOLUNTEER}),
    Cap.PARTICIPANT_EDIT: frozenset({Role.CASE_WORKER}),
    Cap.CASE_MANAGE: frozenset({Role.CASE_WORKER}),
    Cap.REFERRAL_ANSWER: frozenset({Role.PROVIDER}),
    Cap.VOLUNTEER_LOG: frozenset({Role.VOLUNTEER}),
    Cap.VOLUNTEERS_MANAGE: frozenset({Role.COORDINATION, Role.CASE_WORKER}),
    Cap.CASEWORK_AGGREGATES: frozenset({Role.COORDINATION, Role.CASE_WORKER}),
    # Needs and offer analysis: aggregated figures ("< 5" for small counts) for the alliance;
    # participant-level drill-down only for case workers, through the participants policy.
    Cap.NEEDS_VIEW: frozenset(
        {Role.COORDINATION, Role.ALLIANCE_MEMBER, Role.EVALUATOR, Role.CASE_WORKER}
    ),
    Cap.NEEDS_MANAGE: frozenset({Role.COORDINATION}),
    Cap.MEASURES_MANAGE: frozenset({Role.COORDINATION}),
    # The alliance (no personal case data): members read meetings, minutes, decisions and
    # tasks and update the tasks of their own organisation (object rule in policy.py).
    Cap.ALLIANCE_VIEW: frozenset({Role.COORDINATION, Role.ALLIANCE_MEMBER}),
    Cap.ALLIANCE_MANAGE: frozenset({Role.COORDINATION}),
    Cap.ALLIANCE_TASK_UPDATE: frozenset({Role.COORDINATION, Role.ALLIANCE_MEMBER}),
}

# Capabilities where some roles only hold them for particular objects: role -> rule name.
# The rules themselves live in policy.py.
OBJECT_LIMITED: dict[str, dict[Role, str]] = {
    Cap.OFFERS_EDIT: {Role.PROVIDER: "own_provider"},
    Cap.PARTICIPANT_VIEW: {Role.CASE_WORKER: "assigned_case", Role.VOLUNTEER: "assigned_volunteer"},
    Cap.PARTICIPANT_EDIT: {Role.CASE_WORKER: "assigned_case"},
    Cap.CASE_MANAGE: {Role.CASE_WORKER: "assigned_case"},
    Cap.REFERRAL_ANSWER: {Role.PROVIDER: "own_provider"},
    Cap.VOLUNTEER_LOG: {Role.VOLUNTEER: "assigned_volunteer"},
    Cap.ALLIANCE_TASK_UPDATE: {Role.ALLIANCE_MEMBER: "own_organisation"},
}

# Capabilities that do not depend on a tenant.
GLOBAL_CAPABILITIES = frozenset({Cap.AUDIT_VIEW_OWN, Cap.PLATFORM_MANAGE, Cap.STATEWIDE_VIEW})


def roles_with(capability: str) -> frozenset[Role]:
    return CAPABILITIES.get(capability, frozenset())
