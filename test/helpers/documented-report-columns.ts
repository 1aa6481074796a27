/**
 * The columns of AppStream's sessions report as its developer guide documents them, in file order:
 * "Sessions Report Fields" (docs.aws.amazon.com/appstream2/latest/developerguide/usage-reports-fields-sessions-reports.html).
 * Written out by hand here, so the tests and the Trino oracle do not take them from the code under test.
 */
export const DOCUMENTED_SESSIONS_REPORT_COLUMNS = [
    "user_session_id",
    "aws_account_id",
    "region",
    "session_start_time",
    "session_end_time",
    "session_duration_in_seconds",
    "user_id",
    "user_arn",
    "authentication_type",
    "authentication_type_user_id",
    "fleet_name",
    "stack_name",
    "instance_type",
    "eni_private_ip_address",
    "connected_at_least_once",
    "client_ip_addresses",
    "google_drive_enabled",
    "one_drive_enabled",
    "home_folders_storage_location",
    "user_settings_clipboard_copy_from_local_device",
    "user_settings_clipboard_copy_to_local_device",
    "user_settings_file_upload",
    "user_settings_file_download",
    "user_settings_printing_to_local_device",
    "application_settings_enabled",
    "domain_joined",
    "max_session_duration",
    "session_type",
    "stream_view",
    "streaming_experience_settings_protocol",
    "instance_id",
    "is_multisession",
];

/** The documented user settings that move data in or out of a session (clipboard, files, printing). */
export const DOCUMENTED_TRANSFER_SETTINGS = DOCUMENTED_SESSIONS_REPORT_COLUMNS.filter((c) =>
    c.startsWith("user_settings_"),
);
