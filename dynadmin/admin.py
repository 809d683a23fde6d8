"""Django's own admin, where the host installs it: who each scope limits is edited there
(a scope is declared in code; its assignment to groups and users is data)."""

from __future__ import annotations

from django.contrib import admin

from .models import ScopeAssignment


@admin.register(ScopeAssignment)
class ScopeAssignmentAdmin(admin.ModelAdmin):
    list_display = ("name",)
    filter_horizontal = ("groups", "users")
    search_fields = ("name",)
