from django.http import HttpResponse


def index(request):
    return HttpResponse("玩具台账")


def unread(request):
    return 3
