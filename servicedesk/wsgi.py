import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
from servicedesk.startup import require_secret_key  # noqa: E402 (settings module first)

require_secret_key()
application = get_wsgi_application()
