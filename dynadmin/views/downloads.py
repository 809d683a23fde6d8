"""Downloading a finished full export: a signed link that expires, for people who may export.

The link carries the file's name in the export storage, signed with the project's
``SECRET_KEY`` and stamped with the time it was made: nothing else can be downloaded through
it, and after ``DYNADMIN_EXPORT_LINK_SECONDS`` it says it has expired. Whoever follows it must
be signed in and hold ``dynadmin.export_all``: a link forwarded to someone else opens nothing.
The file is streamed from the storage in blocks; a storage that signs addresses of its own
(S3) is sent to directly, for a few minutes, so the file never passes through a server thread.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import Storage, storages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import conf
from ..jobs import exports
from ..models import Job
from ..services.links import site_url
from ..services.partitions.export import content_disposition
from .errors import error_response

if TYPE_CHECKING:
    from ..sites import AdminSite

__all__ = ["download_export", "download_url"]

_SALT = "dynadmin.export-download"

#: Seconds a storage's own signed address (S3's presigned URL) is valid: only long enough to
#: start the download the dynadmin link already allowed.
STORAGE_URL_SECONDS = 300

PERMISSION = "dynadmin.export_all"


def download_url(name: str) -> str:
    """The link that downloads the export stored as ``name`` (valid for
    ``DYNADMIN_EXPORT_LINK_SECONDS`` from now), in the site being served."""
    return site_url("export_download", token=signing.dumps(name, salt=_SALT))


def download_export(request: HttpRequest, site: AdminSite, token: str) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied(_("Downloading a full export needs the permission to export "
                                 "everything a query matches."))
    try:
        name = signing.loads(token, salt=_SALT, max_age=conf.get("EXPORT_LINK_SECONDS"))
    except signing.SignatureExpired:
        return error_response(
            request, 410, _("Download link expired"),
            _("This link to an export has expired: links are valid for %(duration)s.")
            % {"duration": _duration(conf.get("EXPORT_LINK_SECONDS"))},
            _("Open the export's job page for a new link."))
    except signing.BadSignature:
        return error_response(
            request, 403, _("Download link not valid"),
            _("This link was altered or cut short, or was not made by this site: "
              "it opens nothing."),
            _("Copy the whole link again from the export's job page."))
    storage = storages[conf.get("EXPORT_STORAGE")]
    if not isinstance(name, str) or not _may_download(site, request, name) or not (
            storage.exists(name)):
        return error_response(request, 404, _("Export no longer stored"),
                              _("The file this link pointed to has been deleted."),
                              _("Run the export again."))
    file_name = name.rpartition("/")[2]
    if _signs_addresses(storage):
        return HttpResponseRedirect(storage.url(
            name, expire=STORAGE_URL_SECONDS,
            parameters={"ResponseContentDisposition": content_disposition(file_name)}))
    return FileResponse(storage.open(name, "rb"), as_attachment=True, filename=file_name)


def _may_download(site: AdminSite, request: HttpRequest, name: str) -> bool:
    """A person a scope limits downloads only the exports of their own jobs (a link handed
    on by another may hold rows outside their scope); another's answers as a deleted one."""
    if not site.is_scoped(request):
        return True
    job_id = name.removeprefix(f"{exports.DIRECTORY}/").partition("/")[0]
    return job_id.isdigit() and Job.objects.filter(pk=int(job_id),
                                                    creator=request.user).exists()


def _signs_addresses(storage: Storage) -> bool:
    """Whether the storage's ``url()`` signs an expiring address of its own (S3Storage's
    ``url(name, parameters, expire)``, unless told to make public ones); Django's file
    storage has only public addresses, which need not exist at all."""
    try:
        parameters = inspect.signature(storage.url).parameters
    except (TypeError, ValueError):
        return False
    return ("expire" in parameters and "parameters" in parameters
            and getattr(storage, "querystring_auth", True) is not False)


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
