"""Where uploaded files live: the local folder (``MEDIA_ROOT``) unless ``S3_BUCKET`` is set,
then an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, …) through django-storages.

Every object in the bucket is private: none is written with a public ACL, and the bucket
needs no public access at all. ``url()`` gives the service's own address (``/media/…``), so
every read goes through a view of ours — test bed photos through the media view (long-cached
for published test beds, permission-checked for the others), evidence, packs, attachments
and application files through their permission-checked downloads — which stream the object
from the bucket with ``storage.open``. Nothing the browser sees names the bucket.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """An S3 bucket whose objects are private and whose URLs are the service's own."""

    def url(self, name: str, parameters=None, expire=None, http_method=None) -> str:
        return settings.MEDIA_URL + filepath_to_uri(name)
