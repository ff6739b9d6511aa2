"""Django's database sessions, read with one plain SQL statement (``SESSION_ENGINE``).

Every signed-in request reads its session first; through the ORM building the query cost
more than running it (issue 20). The table, the data and everything else are Django's.
Sessions that name the sign-in backends by their old paths are read as naming ours
(``backends.RENAMED``), so nobody was signed out when the backends changed.
"""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from .backends import RENAMED


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        using = router.db_for_read(model)
        quote = connections[using].ops.quote_name
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('session_data')} FROM {quote(model._meta.db_table)}"
                f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])

    def load(self) -> dict:
        data = super().load()
        backend = data.get(BACKEND_SESSION_KEY)
        if backend in RENAMED:
            data[BACKEND_SESSION_KEY] = RENAMED[backend]
        return data
