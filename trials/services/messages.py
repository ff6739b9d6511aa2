"""One message thread per trial: the start-up, the test bed's public body, the partners and
the programme's officers write in it.

Messages are plain text (up to 10,000 characters) with optional attachments checked like
evidence files; never edited or deleted. Each new message notifies the other parties in
the service at once (a notification keyed ``message:<trial>:<message>``, which the
header counts). E-mail is batched: ``thread_email`` sends a person one e-mail covering
every message of a thread they have neither read nor been e-mailed about, unless they had
one about that thread less than ``EMAIL_GAP`` ago; it runs after each message and from a
periodic job, under a lock on the person's ``ThreadMember`` row, so it is idempotent and
never sends two e-mails inside the gap.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.events import record_event
from accounts.models import Membership, Notification, Organisation, User
from accounts.notifications import notify
from core.tasks import enqueue_named

from ..models import Message, MessageAttachment, ThreadMember, Trial, TrialPartner
from .evidence import check_upload

TEXT_LIMIT = 10_000
ATTACHMENT_LIMIT = 5
EMAIL_GAP = datetime.timedelta(minutes=15)
EMAIL_NEW_MESSAGE = "trials.tasks.email_new_message"


def message_key_prefix(trial_id: int) -> str:
    return f"message:{trial_id}:"


def party_organisations(trial: Trial) -> list[Organisation]:
    """The organisations in the thread: start-up, provider, programme team, active partners."""
    ids = [trial.organisation_id, trial.testbed.organisation_id]
    if trial.programme_id:
        ids.append(trial.programme.team_id)
    ids += list(
        TrialPartner.objects.filter(
            trial=trial, removed_at__isnull=True, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )
    return list(Organisation.objects.filter(pk__in=ids))


def speaking_for(actor: User, trial: Trial) -> Organisation:
    """The organisation the actor writes for in this thread, or PermissionDenied.

    Someone in several of the parties speaks as the start-up first, then the provider,
    then a partner, then the programme's officers.
    """
    parties = party_organisations(trial)
    mine = set(
        Membership.objects.filter(user=actor, organisation__in=parties).values_list(
            "organisation_id", flat=True
        )
    )
    first = {trial.organisation_id: 0, trial.testbed.organisation_id: 1}
    team_id = trial.programme.team_id if trial.programme_id else None
    for organisation in sorted(parties, key=lambda o: first.get(o.pk, 3 if o.pk == team_id else 2)):
        if organisation.pk in mine:
            return organisation
    raise PermissionDenied(_("Only the trial's parties write in its messages."))


def recipients(trial: Trial, author: User) -> list[User]:
    parties = party_organisations(trial)
    users = User.objects.filter(memberships__organisation__in=parties, is_active=True).distinct()
    return [user for user in users.order_by("pk") if user.pk != author.pk]


def message_post(*, actor: User, trial: Trial, text: str, uploads=()) -> Message:
    """Add a message (and its attachments) to the trial's thread and tell the other parties."""
    text = (text or "").strip()
    uploads = [upload for upload in uploads if upload]
    if not text:
        raise ValidationError({"text": _("Write the message.")})
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            {
                "text": _("Keep the message to %(limit)s characters or fewer; it has %(n)s.")
                % {"limit": f"{TEXT_LIMIT:,}", "n": f"{len(text):,}"}
            }
        )
    if len(uploads) > ATTACHMENT_LIMIT:
        raise ValidationError(
            {"file": _("Attach up to %(n)s files to one message.") % {"n": ATTACHMENT_LIMIT}}
        )
    trial = Trial.objects.select_related("organisation", "testbed", "programme").get(pk=trial.pk)
    organisation = speaking_for(actor, trial)  # before reading any file
    checked = [check_upload(upload) for upload in uploads]
    with transaction.atomic():
        message = Message.objects.create(
            trial=trial,
            author=actor,
            author_name=actor.get_full_name(),
            organisation=organisation,
            organisation_name=organisation.name,
            text=text,
        )
        for upload in checked:
            attachment = MessageAttachment(
                message=message,
                kind=upload.kind,
                original_name=upload.name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
            )
            filename, content = upload.files["file"]
            attachment.file.save(filename, ContentFile(content), save=False)
            attachment.save()
        record_event(
            actor=actor,
            action="message.posted",
            target=message,
            organisation=organisation,
            summary=trial.title,
        )
        notify(
            users=recipients(trial, actor),
            subject=gettext_lazy("New message about %(title)s"),
            subject_params={"title": trial.title},
            template="trials/notifications/message.txt",
            context={"trial": trial, "message": message},
            url=f"{trial.get_absolute_url()}messages/#message-{message.pk}",
            key=f"{message_key_prefix(trial.pk)}{message.pk}",
            email=False,
        )
        transaction.on_commit(lambda: enqueue_named(EMAIL_NEW_MESSAGE, message.pk))
    return message


def thread_mark_read(*, user: User, trial: Trial) -> int:
    """The person has seen the thread: its notifications stop counting as unread."""
    return Notification.objects.filter(
        user=user, key__startswith=message_key_prefix(trial.pk), read_at__isnull=True
    ).update(read_at=timezone.now())


def email_new_message(message_id: int) -> int:
    """After a message: e-mail each other party whose gap has passed. Returns e-mails sent."""
    message = Message.objects.select_related("trial").filter(pk=message_id).first()
    if message is None:
        return 0
    user_ids = Notification.objects.filter(
        key=f"{message_key_prefix(message.trial_id)}{message.pk}"
    ).values_list("user_id", flat=True)
    return sum(thread_email(trial_id=message.trial_id, user_id=pk) for pk in user_ids)


def thread_email(*, trial_id: int, user_id: int, now: datetime.datetime | None = None) -> bool:
    """One e-mail for the thread's messages the person has neither read nor had by e-mail,
    unless they had an e-mail about this thread less than ``EMAIL_GAP`` ago."""
    now = now or timezone.now()
    with transaction.atomic():
        ThreadMember.objects.get_or_create(trial_id=trial_id, user_id=user_id)
        member = ThreadMember.objects.select_for_update().get(trial_id=trial_id, user_id=user_id)
        if member.last_emailed_at and now - member.last_emailed_at < EMAIL_GAP:
            return False
        waiting = Notification.objects.filter(
            user_id=user_id,
            key__startswith=message_key_prefix(trial_id),
            read_at__isnull=True,
            emailed_at__isnull=True,
        )
        message_ids = [int(key.rsplit(":", 1)[1]) for key in waiting.values_list("key", flat=True)]
        if not message_ids:
            return False
        user = User.objects.get(pk=user_id)
        trial = Trial.objects.get(pk=trial_id)
        messages = list(
            Message.objects.filter(pk__in=message_ids)
            .prefetch_related("attachments")
            .order_by("created_at", "id")
        )
        context = {
            "trial": trial,
            "messages": messages,
            "url": f"{settings.SITE_URL}{trial.get_absolute_url()}messages/",
        }
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("[Test Bed Exchange] New messages about %(title)s") % {"title": trial.title}
            body = render_to_string("trials/email/messages.txt", context)
        waiting.update(emailed_at=now)
        member.last_emailed_at = now
        member.save(update_fields=["last_emailed_at"])
        send_mail(subject, body, None, [user.email])  # a failure rolls the marks back
    return True


def send_waiting_message_emails(now: datetime.datetime | None = None) -> int:
    """The periodic job: e-mail what is still waiting once each person's gap has passed."""
    now = now or timezone.now()
    pairs = set()
    waiting = Notification.objects.filter(
        key__startswith="message:",
        read_at__isnull=True,
        emailed_at__isnull=True,
        created_at__gt=now - datetime.timedelta(days=7),
    ).values_list("user_id", "key")
    for user_id, key in waiting:
        pairs.add((int(key.split(":")[1]), user_id))
    return sum(thread_email(trial_id=t, user_id=u, now=now) for t, u in sorted(pairs))
