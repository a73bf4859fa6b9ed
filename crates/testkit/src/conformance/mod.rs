//! Behaviour every backend of a port must show, written once. A backend's test calls
//! the suite with a factory for fresh instances.

pub mod codes;
pub mod groups;
pub mod invites;
pub mod nodes;
pub mod relay;
pub mod replies;
pub mod search;
pub mod store;

/// One test per check of a conformance module, each on a fresh store, so one failing
/// check does not hide the others: `each_check!(store: check_a, check_b)` in a
/// backend's test module, next to an `async fn fresh_store() -> Option<(impl Sized,
/// Arc<dyn Store>)>` (`None`: this run skips the backend; the first value is kept
/// alive for the test, a directory or a database).
#[macro_export]
macro_rules! each_check {
    ($suite:ident: $($check:ident),* $(,)?) => {
        mod $suite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some((_keep, store)) = super::fresh_store().await else { return };
                    $crate::conformance::$suite::$check(store).await;
                }
            )*
        }
    };
}

/// As `each_check!`, for the checks of `nodes` that take two stores on one database
/// (what two processes have): next to an `async fn fresh_nodes() -> Option<(impl Sized,
/// Arc<dyn Store>, Arc<dyn Store>)>`.
#[macro_export]
macro_rules! each_node_check {
    ($($check:ident),* $(,)?) => {
        mod nodes {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some((_keep, one, two)) = super::fresh_nodes().await else { return };
                    $crate::conformance::nodes::$check(one, two).await;
                }
            )*
        }
    };
}

/// The whole Store suite, each check its own test: what a backend's test file calls,
/// next to its `fresh_store` and `fresh_nodes`, so every backend runs the same list.
#[macro_export]
macro_rules! store_conformance {
    () => {
        $crate::each_check!(invites:
            a_closed_rule_refuses_a_stranger_and_writes_nothing,
            an_open_rule_admits_anyone_and_existing_accounts_pass_any_rule,
            an_allowed_domain_is_admitted,
            the_first_account_of_an_empty_store_is_the_admin,
            racing_first_accounts_make_exactly_one_admin,
            racing_open_first_accounts_make_exactly_one_admin,
            an_invitation_admits_its_address_once_and_is_used_up,
            invitations_are_one_per_address_whoever_invites,
            invitations_are_listed_newest_first_per_inviter,
            the_name_search_matches_an_address_only_whole,
        );

        $crate::each_check!(codes:
            a_new_code_keeps_the_ones_already_mailed,
            only_the_newest_codes_stay_open,
            each_code_expires_on_its_own,
            a_wrong_guess_costs_a_try_of_every_open_code,
            parallel_checks_of_one_of_several_codes_accept_it_once,
        );

        $crate::each_check!(store:
            login_code_is_accepted_once,
            wrong_codes_count_and_the_last_try_exhausts,
            expired_codes_are_missing,
            a_new_code_replaces_the_old_and_resets_tries,
            parallel_checks_of_the_right_code_accept_exactly_once,
            users_are_created_once_per_address,
            user_search_matches_name_or_email_literally,
            sessions_live_until_revoked_or_expired,
            a_code_enqueues_a_mail_job_that_is_leased_once,
            failed_jobs_retry_later_or_die,
            a_direct_chat_is_created_once_and_shared_by_both_sides,
            messages_get_consecutive_seqs_per_chat_and_move_the_chat,
            a_repeated_client_id_returns_the_original_and_stores_nothing,
            a_client_id_reused_in_another_chat_conflicts,
            messages_to_an_unknown_chat_are_not_stored,
            concurrent_inserts_get_every_seq_exactly_once,
            concurrent_retries_of_one_message_store_it_once,
            the_feed_pages_after_and_before_a_seq_per_chat,
            unpublished_feed_rows_are_found_by_age_until_marked,
            a_claimed_feed_row_is_nobody_elses_until_its_claim_runs_out,
            message_pages_are_ascending_with_has_more_at_the_edges,
            read_markers_move_forward_only_and_clamp_to_last_seq,
            non_members_cannot_mark_a_chat_read,
            the_chat_list_shows_newest_activity_first_with_unseen_counts,
            co_members_are_everyone_sharing_a_chat_once,
            get_users_returns_the_known_requested_users,
            get_message_finds_stored_messages_only,
            an_edit_keeps_the_seq_writes_a_feed_row_and_keeps_the_old_text,
            a_delete_leaves_a_tombstone_once_and_returns_the_image,
            reactions_toggle_once_per_user_and_emoji_in_first_use_order,
            a_message_takes_a_bounded_number_of_different_emoji,
        );

        $crate::each_check!(groups:
            a_group_starts_with_its_owner_members_and_a_system_message,
            managers_change_a_group_and_each_change_is_a_system_message_in_the_feed,
            the_owner_leaving_hands_the_group_on,
            a_removed_member_cannot_send_and_sends_name_the_members_as_they_commit,
            a_direct_chat_is_no_group_to_change,
            search_skips_a_groups_notices_and_a_removed_member_finds_nothing_of_it,
            mentions_are_kept_and_counted_for_the_mentioned_until_read_or_deleted,
        );

        $crate::each_check!(replies:
            a_reply_carries_its_parents_first_line_as_it_is_now,
            a_retried_reply_answers_the_original_with_its_preview,
            around_pages_centre_on_a_seq_and_say_what_lies_either_side,
        );

        $crate::each_check!(search:
            search_finds_prefixes_words_with_dots_and_urls,
            search_input_is_text_and_never_syntax,
            search_sees_only_the_callers_chats_and_narrows_to_one,
            search_follows_edits_and_deletes,
            search_follows_edits_and_deletes_of_messages_found_before,
            search_pages_newest_first_before_a_message,
        );

        $crate::each_check!(relay:
            a_relayed_job_leaves_the_outbox_and_one_delivery_at_a_time_holds_it,
            a_delivery_whose_holder_died_takes_the_job_once_its_lease_ran_out,
            a_delivery_that_beats_the_relays_mark_takes_the_job,
        );

        $crate::each_node_check!(
            two_nodes_writing_to_one_chat_get_gapless_seqs_in_commit_order,
            retries_on_two_nodes_store_a_message_once,
            a_hundred_parallel_checks_on_two_nodes_accept_the_code_once,
            workers_on_two_nodes_never_hold_the_same_job,
            sweepers_on_two_nodes_never_claim_the_same_feed_row,
            deliveries_of_one_relayed_job_on_two_nodes_hold_it_once,
            racing_first_accounts_on_two_nodes_make_exactly_one_admin,
            one_address_admitted_on_two_nodes_at_once_gets_one_account,
            a_direct_chat_opened_on_two_nodes_at_once_is_created_once,
            a_row_whose_node_died_before_publishing_is_published_by_another_nodes_sweeper,
        );
    };
}

use natter_domain::entities::NewJob;
use natter_domain::ids::JobId;
use natter_domain::{DisplayName, Email, Timestamp};

/// A fixed moment the suites count from, so every backend sees the same times.
const T0: i64 = 1_800_000_000_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(T0 + ms)
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn name(s: &str) -> DisplayName {
    DisplayName::parse(s).unwrap()
}

/// A job whose sealed payload is `payload`: the store keeps the bytes it is given.
fn job(payload: &[u8]) -> NewJob {
    NewJob { id: JobId::new(), kind: "send_mail", sealed: payload.to_vec() }
}
