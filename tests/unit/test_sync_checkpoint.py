import pytest

from domain.sync import MAX_RESTARTS, OVERLAP_SECONDS, PageWalk, SyncCheckpoint, SyncStalled

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


def keys(*ids: int) -> set[tuple[str, int]]:
    return {(f"o{n}", n) for n in ids}


class TestPageWalk:
    def test_a_walk_of_fresh_pages_with_fresh_tokens_goes_on_and_its_last_page_ends_it(self) -> None:
        walk = PageWalk(page_size=2)

        walk.page(next_token="t1", orders=keys(1, 2), total_count=5)
        walk.page(next_token="t2", orders=keys(3, 4), total_count=5)
        walk.page(next_token=None, orders=keys(5), total_count=5)

        assert walk.pages == 3

    def test_a_repeated_token_stops_the_walk(self) -> None:
        walk = PageWalk(page_size=2)
        walk.page(next_token="t1", orders=keys(1, 2), total_count=None)

        with pytest.raises(SyncStalled, match="page token repeats"):
            walk.page(next_token="t1", orders=keys(3, 4), total_count=None)

    def test_a_cycle_of_tokens_stops_the_walk(self) -> None:
        walk = PageWalk(page_size=1)
        for n, token in enumerate(["a", "b", "c"]):
            walk.page(next_token=token, orders=keys(n), total_count=None)

        with pytest.raises(SyncStalled, match="page token repeats"):
            walk.page(next_token="a", orders=keys(9), total_count=None)

    def test_more_pages_than_the_total_count_can_fill_stop_the_walk(self) -> None:
        walk = PageWalk(page_size=100)
        walk.page(next_token="t0", orders=keys(*range(100)), total_count=150)  # 2 pages: at most 2x2+2

        for n in range(1, 5):
            walk.page(next_token=f"t{n}", orders=keys(*range(n * 100, n * 100 + 100)), total_count=150)
        with pytest.raises(SyncStalled, match="6 pages for a window of 150 orders"):
            walk.page(next_token="t5", orders=keys(*range(500, 600)), total_count=150)

    def test_without_a_total_count_only_the_tokens_and_the_orders_bound_the_walk(self) -> None:
        walk = PageWalk(page_size=1)

        for n in range(1000):
            walk.page(next_token=f"t{n}", orders=keys(n), total_count=None)

        assert walk.max_pages is None

    def test_pages_that_bring_nothing_new_stop_the_walk(self) -> None:
        walk = PageWalk(page_size=2)
        walk.page(next_token="t0", orders=keys(1, 2), total_count=None)
        walk.page(next_token="t1", orders=keys(1, 2), total_count=None)
        walk.page(next_token="t2", orders=set(), total_count=None)

        with pytest.raises(SyncStalled, match="3 pages in a row"):
            walk.page(next_token="t3", orders=keys(2), total_count=None)

    def test_a_window_read_again_after_an_expired_token_may_meet_its_tokens_again_but_not_forever(self) -> None:
        walk = PageWalk(page_size=2)
        for _ in range(MAX_RESTARTS):
            walk.page(next_token="t1", orders=keys(1, 2), total_count=None)
            walk.restart()

        with pytest.raises(SyncStalled, match="refused its own page tokens"):
            walk.restart()


class TestWindows:
    def test_the_overlap_is_what_the_sync_is_given(self) -> None:
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=NOW)

        checkpoint.open_window(now=NOW + 600, full=False, overlap=300, deep_window=0)

        assert checkpoint.window_start == NOW - 300

    def test_the_first_sync_of_a_new_period_reads_the_deep_window(self) -> None:
        day = 86_400
        cursor = (NOW // day) * day + day - 100  # 100 s before midnight UTC
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=cursor)

        checkpoint.open_window(now=cursor + 200, full=False, overlap=7200, deep_window=day)

        assert checkpoint.window_start == cursor - day

    def test_later_syncs_of_the_same_period_read_the_overlap_only(self) -> None:
        day = 86_400
        cursor = (NOW // day) * day + 100
        checkpoint = SyncCheckpoint(store_id="st_1", cursor=cursor)

        checkpoint.open_window(now=cursor + 300, full=False, overlap=7200, deep_window=day)

        assert checkpoint.window_start == cursor - 7200
