"""Transition tables: workflows written as data (invariant 3).

Every status change goes through a table: state -> allowed actions, who may
trigger each, the label staff see and the simpler one the public sees. An
action the table does not allow is refused with InvalidTransition (HTTP 409)
before anything changes; an allowed action by the wrong role is refused with
PermissionDenied (403) naming who may do it, so the message says what to do.

Each domain declares its table in its own ``states.py``. A transition lists
who may take it: account roles and relations to the data (``core.actors``);
an empty list means only the system. Services never write a status
themselves: ``core.transitions.apply_transition`` decides with the table and
writes with a conditional UPDATE and an audit row.

Pure: ``states.py`` modules import this module and nothing else of the
project, so the role and relation names are re-exported here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from procurement.core.actors import Actor, Relation, Role
from procurement.core.errors import InvalidTransition, PermissionDenied
from procurement.core.i18n import N_, Labels, _, gettext

__all__ = ["N_", "Actor", "Labels", "Relation", "Role", "StateInfo", "Transition", "TransitionTable"]


def _name(value: object) -> str:
    """Plain str for a state/action/role given as str or as an Enum member.

    ``str()`` is not enough: for a ``(str, Enum)`` mixin it returns "Cls.MEMBER".
    """
    if isinstance(value, enum.Enum):
        value = value.value
    if not isinstance(value, str):
        raise TypeError(f"expected a str or a str-valued Enum, got {value!r}")
    return str(value)


@dataclass(frozen=True)
class StateInfo:
    staff_label: str
    public_label: str


@dataclass(frozen=True)
class Transition:
    """One allowed step. Empty ``roles`` means only the system may take it
    (time-driven jobs such as closing bids at the deadline)."""

    source: str
    action: str
    target: str
    roles: frozenset[str]
    staff_label: str
    public_label: str

    def __post_init__(self) -> None:
        # Normalise enum members to str so lookups and equality are uniform.
        object.__setattr__(self, "source", _name(self.source))
        object.__setattr__(self, "action", _name(self.action))
        object.__setattr__(self, "target", _name(self.target))
        if isinstance(self.roles, str):
            raise TypeError("roles must be a collection of role names, not a single str")
        object.__setattr__(self, "roles", frozenset(_name(r) for r in self.roles))

    @property
    def system_only(self) -> bool:
        return not self.roles


class TransitionTable:
    """A named state machine, validated when it is built so a typo in a
    table fails at import time rather than on a user's click."""

    def __init__(
        self,
        name: str,
        states: Mapping[str, StateInfo],
        transitions: Iterable[Transition],
        role_labels: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self._states: dict[str, StateInfo] = {_name(k): v for k, v in states.items()}
        if not self._states:
            raise ValueError(f"{name}: a transition table needs at least one state")
        labels = role_labels.source() if isinstance(role_labels, Labels) else dict(role_labels or {})
        self._role_labels = {_name(k): v for k, v in labels.items()}
        self._transitions: dict[tuple[str, str], Transition] = {}
        self._actions: dict[str, str] = {}  # action -> first staff label seen
        for t in transitions:
            for kind, state in (("source", t.source), ("target", t.target)):
                if state not in self._states:
                    raise ValueError(f"{name}: {kind} state {state!r} of action {t.action!r} is not a known state")
            key = (t.source, t.action)
            if key in self._transitions:
                raise ValueError(f"{name}: duplicate action {t.action!r} from state {t.source!r}")
            self._transitions[key] = t
            self._actions.setdefault(t.action, t.staff_label)

    # -- introspection -------------------------------------------------------

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self._states)

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action of the table, in order of first declaration."""
        return tuple(self._actions)

    @property
    def transitions(self) -> tuple[Transition, ...]:
        return tuple(self._transitions.values())

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every (state, action) combination, allowed or not, for table-driven tests."""
        for state in self._states:
            for action in self._actions:
                yield state, action

    def staff_label(self, state: str) -> str:
        return gettext(self._state_info(state).staff_label)

    def public_label(self, state: str) -> str:
        return gettext(self._state_info(state).public_label)

    def action_label(self, action: str) -> str:
        """Staff label of an action (as first declared); the raw name if unknown."""
        action = _name(action)
        return gettext(self._actions[action]) if action in self._actions else action

    def role_label(self, role: str) -> str:
        role = _name(role)
        return gettext(self._role_labels[role]) if role in self._role_labels else role

    def _state_info(self, state: str) -> StateInfo:
        try:
            return self._states[_name(state)]
        except KeyError:
            raise ValueError(f"{self.name}: unknown state {state!r}") from None

    # -- decisions -----------------------------------------------------------

    def allowed_actions(self, state: str, role: str | None = None) -> list[str]:
        """Actions allowed from ``state`` in declaration order.

        With a ``role``, only those that role may trigger (so system-only
        actions never appear); with None, all of them.
        """
        state = _name(state)
        self._state_info(state)
        role = None if role is None else _name(role)
        return [
            t.action
            for (source, _unused), t in self._transitions.items()
            if source == state and (role is None or role in t.roles)
        ]

    def transition(self, state: str, action: str) -> Transition:
        """The transition for (state, action), ignoring roles; InvalidTransition if none."""
        state, action = _name(state), _name(action)
        found = self._transitions.get((state, action))
        if found is None:
            raise self._invalid(state, action, None if state not in self._states else self.allowed_actions(state))
        return found

    def target(
        self,
        state: str,
        action: str,
        *,
        role: str | None = None,
        system: bool = False,
    ) -> str:
        """The state after ``action``, or a domain error and nothing changes.

        ``system=True`` (scheduled jobs) may take any transition. Otherwise
        ``role`` must be one of the transition's roles; ``role=None`` is
        refused, because an unidentified caller is not the system.
        The allowed actions listed in an InvalidTransition are those the
        caller could actually take: filtered by ``role`` when one is given,
        all of them for ``system`` or an unknown caller.
        """
        state, action = _name(state), _name(action)
        found = self._transitions.get((state, action))
        if found is None:
            allowed: list[str] | None = None
            if state in self._states:
                allowed = self.allowed_actions(state, None if system else role)
            raise self._invalid(state, action, allowed)
        if system:
            return found.target
        if role is None or _name(role) not in found.roles:
            raise self._denied(found, role)
        return found.target

    def decide(self, state: str, action: str, actor: Actor) -> Transition:
        """The transition ``actor`` may take from ``state``, or a domain error.

        The system may take any transition; a person needs their role or one
        of the relations a policy granted them among the transition's names.
        """
        state, action = _name(state), _name(action)
        found = self._transitions.get((state, action))
        if found is None:
            allowed: list[str] | None = None
            if state in self._states:
                allowed = self.allowed_actions(state) if actor.system else self.actions_for(state, actor)
            raise self._invalid(state, action, allowed)
        if actor.system or found.roles & actor.names:
            return found
        raise self._denied(found, actor.role)

    def actions_for(self, state: str, actor: Actor) -> list[str]:
        """Actions ``actor`` may take from ``state`` (a person never sees system-only ones)."""
        state = _name(state)
        self._state_info(state)
        return [
            t.action
            for (source, _unused), t in self._transitions.items()
            if source == state and (actor.system or t.roles & actor.names)
        ]

    # -- errors --------------------------------------------------------------

    def _invalid(self, state: str, action: str, allowed: list[str] | None) -> InvalidTransition:
        if allowed is None:  # unknown state: say so plainly rather than listing nothing
            return InvalidTransition(
                state,
                action,
                [],
                message=_("未知的状态「{state}」，无法执行「{action_label}」。").format(
                    state=state, action_label=self.action_label(action)
                ),
            )
        return InvalidTransition(
            state,
            action,
            allowed,
            state_label=self.staff_label(state),
            action_label=self.action_label(action),
            allowed_labels=[gettext(self._transitions[(state, a)].staff_label) for a in allowed],
        )

    def _denied(self, t: Transition, role: str | None) -> PermissionDenied:
        extra = {
            "state": t.source,
            "action": t.action,
            "role": None if role is None else _name(role),
            "allowed_roles": sorted(t.roles),
        }
        if t.system_only:
            message = _("「{staff_label}」由系统按时间自动执行，不能手动操作。").format(
                staff_label=gettext(t.staff_label)
            )
        else:
            who = "、".join(self.role_label(r) for r in sorted(t.roles))
            message = _("「{staff_label}」只能由{who}执行。").format(staff_label=gettext(t.staff_label), who=who)
        return PermissionDenied(message, extra=extra)
