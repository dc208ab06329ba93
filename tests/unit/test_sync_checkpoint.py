import pytest

from domain.sync import OVERLAP_SECONDS, SyncCheckpoint

pytestmark = pytest.mark.unit

NOW = 1_773_576_000


class TestSyncCheckpoint:
    def test_the_first_sync_reads_everything_up_to_now(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1")

        checkpoint.open_window(now=NOW, full=False)

        assert (checkpoint.window_start, checkpoint.window_end, checkpoint.page_token) == (0, NOW + 1, None)
        assert checkpoint.in_flight

    def test_a_later_sync_overlaps_the_last_one_by_two_hours(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=NOW)

        checkpoint.open_window(now=NOW + 600, full=False)

        assert (checkpoint.window_start, checkpoint.window_end) == (NOW - OVERLAP_SECONDS, NOW + 601)
        assert OVERLAP_SECONDS == 2 * 60 * 60

    def test_the_overlap_never_reaches_before_the_epoch(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=60)

        checkpoint.open_window(now=120, full=False)

        assert checkpoint.window_start == 0

    def test_a_full_sync_reads_from_the_beginning(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=NOW)

        checkpoint.open_window(now=NOW + 600, full=True)

        assert checkpoint.window_start == 0

    def test_an_interrupted_window_is_resumed_where_its_last_page_left_off(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1")
        checkpoint.open_window(now=NOW, full=False)
        checkpoint.page_done("token-2")

        checkpoint.open_window(now=NOW + 3_600, full=False)

        assert (checkpoint.window_start, checkpoint.window_end, checkpoint.page_token) == (0, NOW + 1, "token-2")

    def test_a_full_sync_abandons_an_interrupted_window(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=NOW)
        checkpoint.open_window(now=NOW + 10, full=False)
        checkpoint.page_done("token-2")

        checkpoint.open_window(now=NOW + 20, full=True)

        assert (checkpoint.window_start, checkpoint.window_end, checkpoint.page_token) == (0, NOW + 21, None)

    @pytest.mark.parametrize("token", ["", None])
    def test_an_empty_or_missing_page_token_means_no_more_pages(self, token: str | None) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1", page_token="token-1")

        checkpoint.page_done(token)

        assert checkpoint.page_token is None

    def test_restarting_a_window_reads_it_again_from_its_start(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1")
        checkpoint.open_window(now=NOW, full=False)
        checkpoint.page_done("token-3")

        checkpoint.restart_window()

        assert (checkpoint.window_start, checkpoint.window_end, checkpoint.page_token) == (0, NOW + 1, None)

    def test_closing_a_window_moves_the_cursor_to_its_end(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1")
        checkpoint.open_window(now=NOW, full=False)

        checkpoint.close_window()

        assert (checkpoint.cursor, checkpoint.window_start, checkpoint.window_end, checkpoint.page_token) == (NOW + 1, None, None, None)
        assert not checkpoint.in_flight

    def test_the_cursor_never_moves_back(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=NOW + 100, window_start=0, window_end=NOW)

        checkpoint.close_window()

        assert checkpoint.cursor == NOW + 100


class TestRewind:
    def test_rewinding_moves_the_cursor_back_and_gives_up_the_window_in_flight(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st", cursor=10_000, window_start=9_000, window_end=12_000, page_token="p2")

        checkpoint.rewind_to(5_000)

        assert (checkpoint.cursor, checkpoint.in_flight, checkpoint.page_token) == (5_000, False, None)

    def test_rewinding_to_a_later_moment_changes_nothing(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st", cursor=10_000)

        checkpoint.rewind_to(20_000)

        assert checkpoint.cursor == 10_000
