from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from consult.forms import AdminLoginForm
from consult.views.accounts import LoginView
from core.security import security_txt
from planning.views import receipt_check, waiting

home = reverse_lazy("consult:home")
admin.site.login_form = AdminLoginForm  # the admin's login is behind the login limits too

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("admin/", admin.site.urls),
    # Django's account views with Cabildo's templates (templates/registration/).
    path("accounts/login/", LoginView.as_view(next_page=home), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page=home), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("waiting/", waiting, name="waiting"),
    path("receipts/", receipt_check, name="receipt_check"),
    path("notifications/", include("notifications.urls")),
    path("plans/", include("planning.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    # Other apps mount above this line: consult ends with a catch-all /<city>/<consultation>/.
    path("", include("consult.urls")),
]

if settings.DEBUG:  # pragma: no cover - static files in development
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
