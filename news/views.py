"""News pages, the newsletter sign-up and its confirm and unsubscribe links.

The sign-up answers every valid request with the same redirect, and does what differs (a
confirmation email, or nothing) after the answer has gone (membership's RedirectThenRun),
so nobody learns whether an address is subscribed. Bad links get a friendly 400 page.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from association import rate_limits
from association.languages import current_language
from association.page_cache import public_page
from membership.after_response import RedirectThenRun

from . import subscriptions
from .emails import send_confirmation
from .forms import SubscribeForm
from .models import Post

PAGE_SIZE = 10


@public_page(scopes=["news"])
def post_list(request):
    posts = Post.objects.published(timezone.now())
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "news/post_list.html", {"page_obj": page, "posts": page.object_list})


@public_page(scopes=["news", "events", "cities"])
def post_detail(request, slug):
    post = get_object_or_404(Post.objects.published(timezone.now()), slug=slug)
    return render(request, "news/post_detail.html", {"post": post})


@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        # Each sign-up may send a confirmation email to any address: many from one client
        # would use the site to flood other people's mailboxes.
        if rate_limits.limit("newsletter-ip").hit(request):
            page = render(request, "news/subscribe_throttled.html")
            return rate_limits.too_many_attempts(page, "newsletter-ip")
        if form.is_valid():
            email, name = form.cleaned_data["email"], form.cleaned_data["name"]
            # Run after the response: in the language of the page they subscribed on.
            language = current_language()

            def confirm_if_needed():
                with translation.override(language):
                    subscriber = subscriptions.request_subscription(
                        email=email, name=name, now=timezone.now()
                    )
                    if subscriber is not None:
                        send_confirmation(
                            email=subscriber.email,
                            name=subscriber.name or name,
                            language=language,
                        )

            return RedirectThenRun(reverse("news:subscribe_sent"), tasks=[confirm_if_needed])
        return render(request, "news/subscribe.html", {"form": form}, status=400)
    return render(request, "news/subscribe.html", {"form": form})


def subscribe_sent(request):
    return render(request, "news/subscribe_sent.html")


def confirm(request, token):
    subscriber = subscriptions.confirm_subscription(token=token, now=timezone.now())
    if subscriber is None:
        return render(request, "news/link_invalid.html", status=400)
    return render(request, "news/confirmed.html", {"subscriber": subscriber})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button (a mail scanner following links must not unsubscribe anyone); a
    POST unsubscribes. The POST is CSRF-exempt because mail programs send the RFC 8058
    one-click POST without a cookie or form token; the signed address in the link is what
    authorizes it, and all it can do is opt that one address out."""
    email = subscriptions.email_from_unsubscribe_token(token)
    if email is None:
        return render(request, "news/link_invalid.html", status=400)
    if request.method == "POST":
        subscriptions.unsubscribe(email=email, now=timezone.now())
        return render(request, "news/unsubscribed.html", {"email": email})
    return render(request, "news/unsubscribe.html", {"email": email})
