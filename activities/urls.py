from django.urls import path

from activities.views import activities, attachments, exports, meetings, review

app_name = "activities"

urlpatterns = [
    path("", meetings.meeting_list, name="meeting-list"),
    path("new/", meetings.meeting_create, name="meeting-create"),
    path("attendance-rows/", meetings.attendance_rows, name="attendance-rows"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting-detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("<int:pk>/submit/", meetings.meeting_submit, name="meeting-submit"),
    path("<int:pk>/return/", meetings.meeting_return, name="meeting-return"),
    path("<int:pk>/review/", meetings.meeting_review, name="meeting-review"),
    path("<int:pk>/delete/", meetings.meeting_delete, name="meeting-delete"),
    path("<int:pk>/print/", meetings.meeting_print, name="meeting-print"),
    path("<int:pk>/attachments/", attachments.attachment_add, name="attachment-add"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment-download"),
    path("attachments/<int:pk>/delete/", attachments.attachment_delete, name="attachment-delete"),
]
urlpatterns += [
    path("export.xlsx", exports.meeting_export, name="meeting-export"),
    path("ledger/", exports.meeting_ledger, name="meeting-ledger"),
]
urlpatterns += [
    path("review/", review.review_queue, name="review-queue"),
]
urlpatterns += [
    path("activities/", activities.activity_list, name="activity-list"),
    path("activities/new/", activities.activity_create, name="activity-create"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", activities.activity_delete, name="activity-delete"),
    path("activities/<int:pk>/attachments/", attachments.activity_attachment_add,
         name="activity-attachment-add"),
    path("study-hours/", activities.study_hours, name="study-hours"),
]
