"""Finding the reminder a chat message answers (reply-to), so the answer becomes progress."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Delivery, ReminderRow


async def reminder_for_message(
    session: AsyncSession, transport: str, chat_id: str, message_id: str
) -> ReminderRow | None:
    """The reminder delivered as `message_id` in that chat, if it was one."""
    statement = (
        select(ReminderRow)
        .join(Delivery, Delivery.reminder_id == ReminderRow.id)  # type: ignore[arg-type]
        .where(Delivery.transport == transport, Delivery.chat_id == chat_id, Delivery.message_id == message_id)
    )
    return (await session.exec(statement)).first()


async def last_delivered(session: AsyncSession, transport: str, chat_id: str) -> str | None:
    """The message id of the last reminder delivered to a chat: on services without replies (WeCom),
    a message without a command answers it."""
    statement = (
        select(Delivery.message_id)
        .where(Delivery.transport == transport, Delivery.chat_id == chat_id, Delivery.state == "sent")
        .order_by(col(Delivery.at).desc(), col(Delivery.id).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()
