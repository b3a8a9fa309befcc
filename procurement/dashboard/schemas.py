"""What a dashboard shows: each role's to-do list, item by item, written by hand."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, computed_field


class TodoAction(BaseModel):
    """A button beside an entry (a POST form with a confirmation question)."""

    url: str
    label: str
    confirm: str = ""


class TodoEntry(BaseModel):
    """One thing to do: what, where to do it, and the time it is due.

    ``at`` is an instant (UTC in the database) and is shown in Beijing time;
    ``on`` is already a Beijing calendar day (a due date counted in working days)."""

    title: str
    link: str | None = None
    note: str = Field(default="", description="A short line under the title, without dates.")
    when_label: str = ""
    at: datetime | None = None
    on: date | None = None
    urgent: bool = Field(default=False, description="Overdue, or due within a day.")
    badge: str = ""
    action: TodoAction | None = None


class TodoItem(BaseModel):
    """One kind of work waiting for the person: how many, and the first few entries."""

    key: str
    title: str
    count: int
    link: str | None = None
    link_label: str = ""
    entries: list[TodoEntry] = Field(default_factory=list)
    empty: str = Field(description="What the card says when nothing waits.")
    hint: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def more(self) -> int:
        """How many entries are not shown on the card."""
        return max(0, self.count - len(self.entries))


class Dashboard(BaseModel):
    items: list[TodoItem]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def waiting(self) -> int:
        """How many things wait in all (the heading's count)."""
        return sum(i.count for i in self.items)
