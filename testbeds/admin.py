from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import ApplicationQuestion, Blackout, Booking, TestBed, TestBedPhoto, WaitlistEntry


class PhotoInline(ReadOnlyInline):
    model = TestBedPhoto
    fields = ["position", "alt_text", "caption", "width", "height", "sha256"]


class BlackoutInline(ReadOnlyInline):
    model = Blackout


@admin.register(TestBed)
class TestBedAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "region", "status", "capacity", "updated_at"]
    list_filter = ["status", "region", "sectors"]
    search_fields = ["name", "summary", "town", "postcode"]
    inlines = [PhotoInline, BlackoutInline]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Bookings change only through the trial services, which keep capacity."""

    list_display = ["testbed", "organisation", "start", "end", "status", "unit"]
    list_filter = ["status"]
    search_fields = ["testbed__name", "organisation__name"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdmin):
    list_display = ["testbed", "organisation", "start", "end", "status", "created_at"]
    list_filter = ["status"]


@admin.register(ApplicationQuestion)
class ApplicationQuestionAdmin(ReadOnlyAdmin):
    list_display = ["text", "testbed", "kind", "required", "archived"]
