from django.http import Http404


def join(request, slug):
    raise Http404
