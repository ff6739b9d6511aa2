"""Public challenge pages (list, detail, Atom feed) and the owner's set-up pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_member
from core.confirm import confirm_page, is_confirmed
from core.forms_util import error_message
from core.pagination import paginate

from .. import selectors, services
from ..forms import (
    ChallengeForm,
    ClarificationAnswerForm,
    ClarificationForm,
    CriteriaForm,
    FilterForm,
    QuestionsForm,
    TestBedLinkForm,
)
from ..models import ChallengeStatus, ChallengeTestBed, Clarification
from ..timefmt import UK
from .common import SERVICE_ERRORS, form_page, run_service


def challenge_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    challenges = selectors.filter_challenges(
        selectors.public_challenges(),
        region=filters.get("region", ""),
        sector=filters.get("sector", ""),
        phase=filters.get("phase", ""),
    )
    page = paginate(request, selectors.with_list_data(challenges).order_by("closes_at", "id"))
    return render(
        request,
        "challenges/list.html",
        {"form": form if form.is_bound else FilterForm(), "page": page},
        status=400 if form.is_bound and form.errors else 200,
    )


def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_viewer(user=request.user, slug=slug)
    user = request.user
    owner = is_member(user, challenge.owner)
    context = {
        "challenge": challenge,
        "is_owner": owner,
        "links": list(selectors.agreed_links(challenge)),
        "criteria": list(challenge.criteria.all()),
        "questions": list(challenge.questions.all()),
        "sectors": list(challenge.sectors.all()),
        "technologies": list(challenge.technologies.all()),
        "clarifications": list(selectors.published_clarifications(challenge)),
        "following": user.is_authenticated and challenge.follows.filter(user=user).exists(),
        "open": challenge.is_open(),
        "application": None,
        "assessor": services.active_assessor(user, challenge),
    }
    organisation = getattr(request, "organisation", None)
    if organisation is not None and organisation.is_start_up:
        context["application"] = challenge.applications.filter(organisation=organisation).first()
    if owner:
        context["publish_gaps"] = (
            services.publish_gaps(challenge, services.common.now())
            if challenge.status == ChallengeStatus.DRAFT
            else []
        )
    return render(request, "challenges/detail.html", context)


class ChallengeFeed(Feed):
    """Published challenges, newest first, as Atom."""

    feed_type = Atom1Feed
    title = gettext_lazy("Test Bed Exchange challenges")
    subtitle = gettext_lazy("Problems public bodies want solved, open to start-ups.")

    def link(self) -> str:
        return "/challenges/"

    def items(self):
        return (
            selectors.public_challenges()
            .select_related("owner")
            .order_by("-published_at", "-id")[:50]
        )

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.summary or item.problem[:300]

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item) -> str:
        return item.owner.name


@login_required
@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_viewer(user=request.user, slug=slug)
    following = request.POST.get("follow") == "1"
    try:
        services.follow_set(user=request.user, challenge=challenge, following=following)
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request,
            _("You will be told of changes and clarifications.")
            if following
            else _("You no longer follow this challenge."),
        )
    return redirect(challenge)


@login_required
def ask(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_viewer(user=request.user, slug=slug)
    form = ClarificationForm(request.POST or None)
    conflict = False
    if request.method == "POST" and form.is_valid():
        result, conflict = run_service(
            form,
            lambda: services.clarification_ask(
                actor=request.user, challenge=challenge, question=form.cleaned_data["question"]
            ),
        )
        if result is not None:
            messages.success(
                request,
                _("Your question has been sent. If it is answered, the answer is published here."),
            )
            return redirect(challenge)
    return form_page(
        request, "challenges/ask.html", {"challenge": challenge}, form=form, conflict=conflict
    )


# The owner's pages -----------------------------------------------------------------------


def _owner_organisation(request: HttpRequest):
    organisation = getattr(request, "organisation", None)
    if organisation is None or organisation.kind not in services.common.OWNER_KINDS:
        raise PermissionDenied(
            _("Switch to your public body or programme team to set a challenge.")
        )
    return organisation


def _initial(challenge) -> dict:
    opens, closes = challenge.opens_at.astimezone(UK), challenge.closes_at.astimezone(UK)
    return {
        **{
            name: getattr(challenge, name)
            for name in (
                "title",
                "summary",
                "problem",
                "title_cy",
                "summary_cy",
                "problem_cy",
                "programme",
                "affected",
                "success",
                "region",
                "budget_per_award",
                "awards",
                "eligibility",
                "decisions_by",
                "contact_name",
                "contact_email",
            )
        },
        "sectors": list(challenge.sectors.all()),
        "technologies": list(challenge.technologies.all()),
        "opens_on": opens.date(),
        "opens_time": opens.time(),
        "closes_on": closes.date(),
        "closes_time": closes.time(),
    }


@login_required
def create(request: HttpRequest) -> HttpResponse:
    owner = _owner_organisation(request)
    form = ChallengeForm(request.POST or None, owner=owner)
    if request.method == "POST" and form.is_valid():
        challenge, _conflict = run_service(
            form,
            lambda: services.challenge_create(
                actor=request.user, owner=owner, **form.service_fields()
            ),
        )
        if challenge is not None:
            messages.success(request, _("Draft saved. Now add the criteria and test beds."))
            return redirect("challenges:criteria", slug=challenge.slug)
    return form_page(request, "challenges/form.html", {"owner": owner}, form=form)


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    form = ChallengeForm(request.POST or None, initial=_initial(challenge), owner=challenge.owner)
    conflict = False
    if request.method == "POST" and form.is_valid():
        result, conflict = run_service(
            form,
            lambda: services.challenge_update(
                actor=request.user, challenge=challenge, **form.service_fields()
            ),
        )
        if result is not None:
            messages.success(request, _("The challenge has been saved."))
            return redirect(challenge)
    return form_page(
        request,
        "challenges/form.html",
        {"challenge": challenge, "owner": challenge.owner},
        form=form,
        conflict=conflict,
    )


@login_required
def criteria(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    form = CriteriaForm(request.POST or None, existing=list(challenge.criteria.all()))
    conflict = False
    if request.method == "POST" and form.is_valid():
        result, conflict = run_service(
            form,
            lambda: services.criteria_set(
                actor=request.user, challenge=challenge, criteria=form.criteria()
            ),
        )
        if result is not None:
            messages.success(request, _("The criteria have been saved."))
            return redirect("challenges:questions", slug=challenge.slug)
    return form_page(
        request, "challenges/criteria.html", {"challenge": challenge}, form=form, conflict=conflict
    )


@login_required
def questions(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    existing = list(challenge.questions.all())
    form = QuestionsForm(request.POST or None, existing=existing)
    conflict = False
    removing = []
    if request.method == "POST" and form.is_valid():
        # Emptying a row removes its question: say which, and save only once confirmed.
        kept = {row["text"].strip() for row in form.questions()}
        removing = [q.text for q in existing if q.text.strip() not in kept]
    if request.method == "POST" and form.is_valid() and (not removing or is_confirmed(request)):
        result, conflict = run_service(
            form,
            lambda: services.questions_set(
                actor=request.user, challenge=challenge, questions=form.questions()
            ),
        )
        if result is not None:
            messages.success(request, _("The questions have been saved."))
            return redirect("challenges:testbeds", slug=challenge.slug)
    return form_page(
        request,
        "challenges/questions.html",
        {"challenge": challenge, "removing": removing},
        form=form,
        conflict=conflict,
    )


@login_required
def testbeds(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    form = TestBedLinkForm(request.POST or None, owner=challenge.owner)
    conflict = False
    if request.method == "POST" and form.is_valid():
        link, conflict = run_service(
            form,
            lambda: services.testbed_link(
                actor=request.user, challenge=challenge, testbed=form.cleaned_data["testbed"]
            ),
        )
        if link is not None:
            if link.status == ChallengeTestBed.Status.AGREED:
                messages.success(request, _("The test bed has been added."))
            else:
                messages.success(request, _("The test bed's provider has been asked to agree."))
            return redirect("challenges:testbeds", slug=challenge.slug)
    links = challenge.links.select_related("testbed__organisation")
    return form_page(
        request,
        "challenges/testbeds.html",
        {"challenge": challenge, "links": links},
        form=form,
        conflict=conflict,
    )


@login_required
@require_http_methods(["GET", "POST"])
def testbed_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    link = get_object_or_404(ChallengeTestBed, pk=pk, challenge=challenge)
    if not is_confirmed(request):
        return confirm_page(
            request,
            title=_("Remove %(name)s from the challenge?") % {"name": link.testbed.name},
            caption=challenge.title,
            consequences=[_("Applicants can no longer choose this test bed.")],
            button=_("Remove test bed"),
            back_url=reverse("challenges:testbeds", kwargs={"slug": slug}),
        )
    try:
        services.testbed_unlink(actor=request.user, link=link)
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("The test bed has been removed from the challenge."))
    return redirect("challenges:testbeds", slug=challenge.slug)


@login_required
def link_requests(request: HttpRequest) -> HttpResponse:
    """Requests from other bodies' challenges to name the user's public body's test beds."""
    pending = (
        ChallengeTestBed.objects.filter(
            testbed__organisation__memberships__user=request.user,
            status=ChallengeTestBed.Status.PENDING,
        )
        .select_related("challenge__owner", "testbed")
        .order_by("created_at", "id")
    )
    return render(request, "challenges/link_requests.html", {"links": pending})


@login_required
@require_POST
def link_respond(request: HttpRequest, pk: int) -> HttpResponse:
    link = ChallengeTestBed.objects.filter(
        pk=pk, testbed__organisation__memberships__user=request.user
    ).first()
    if link is None:
        raise Http404
    agree = request.POST.get("agree") == "1"
    try:
        services.testbed_link_respond(actor=request.user, link=link, agree=agree)
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Agreed.") if agree else _("Declined."))
    return redirect("challenges:link_requests")


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    try:
        services.challenge_publish(actor=request.user, challenge=challenge)
    except SERVICE_ERRORS as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("The challenge is published."))
    return redirect(challenge)


@login_required
def clarifications(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    items = challenge.clarifications.order_by("published_at", "-asked_at", "id")
    return render(
        request, "challenges/clarifications.html", {"challenge": challenge, "items": items}
    )


@login_required
def clarification_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    challenge = selectors.challenge_for_owner(user=request.user, slug=slug)
    clarification = get_object_or_404(Clarification, pk=pk, challenge=challenge)
    form = ClarificationAnswerForm(
        request.POST or None, initial={"question": clarification.question}
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        result, conflict = run_service(
            form,
            lambda: services.clarification_publish(
                actor=request.user, clarification=clarification, **form.cleaned_data
            ),
        )
        if result is not None:
            messages.success(request, _("The answer is published and followers have been told."))
            return redirect("challenges:clarifications", slug=challenge.slug)
    return form_page(
        request,
        "challenges/clarification_answer.html",
        {"challenge": challenge, "clarification": clarification},
        form=form,
        conflict=conflict,
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The person's challenges: owned, applied to, assessed."""
    return render(
        request,
        "challenges/mine.html",
        {
            "owned": list(selectors.owned_challenges(request.user).order_by("-created_at")[:50]),
            "applications": list(selectors.applications_of(request.user)[:50]),
            "assessing": list(selectors.assessed_challenges(request.user)[:50]),
        },
    )
