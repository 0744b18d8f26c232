package check

import (
	"cmp"
	"hash/fnv"
	"path/filepath"
	"slices"
	"time"
)

// Shards: "labrun check --shard K/N" takes one of N parts of the
// lessons, so that N machines check a course together. Without earlier
// times a lesson's shard is a hash of its path (Shard); with the times
// of an earlier check (--durations) the shards are balanced by time
// (Balance).

// Shard keeps the lessons of shard k of n (1 <= k <= n): those whose
// path hashes to k-1 modulo n. A lesson's shard depends on its path only,
// so adding a lesson moves no other.
func Shard(ls []Lesson, k, n int) []Lesson {
	var out []Lesson
	for _, l := range ls {
		h := fnv.New32a()
		h.Write([]byte(filepath.ToSlash(filepath.Clean(l.Path))))
		if int(h.Sum32()%uint32(n)) == k-1 {
			out = append(out, l)
		}
	}
	return out
}

// ShardPlan is the lessons split into shards balanced by time.
type ShardPlan struct {
	// Shards are the lessons of each shard (shard K is Shards[K-1]), in
	// the order they were given.
	Shards [][]Lesson
	// Expected is each shard's expected time, the sum of its lessons'.
	Expected []time.Duration
	// Times are the lessons' expected times, by path.
	Times map[string]time.Duration
}

// Balance splits lessons into n shards of about the same expected time:
// a lesson's time is its time in times (keyed by PathKey), or the median
// of times when it has none there; the lessons, longest first (by path
// when as long), go one by one to the shard with the least expected
// time (the fewest lessons, then the first, when several have it). So no
// shard expects more than the least one by more than the longest lesson,
// and the same lessons and times give the same shards.
func Balance(ls []Lesson, n int, times map[string]time.Duration) ShardPlan {
	plan := ShardPlan{Shards: make([][]Lesson, n), Expected: make([]time.Duration, n), Times: map[string]time.Duration{}}
	median := medianTime(times)
	order := make([]int, len(ls))
	for i, l := range ls {
		order[i] = i
		t, ok := times[PathKey(l.Path)]
		if !ok {
			t = median
		}
		plan.Times[l.Path] = t
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ta, tb := plan.Times[ls[a].Path], plan.Times[ls[b].Path]
		return cmp.Or(cmp.Compare(tb, ta), cmp.Compare(ls[a].Path, ls[b].Path))
	})
	shardOf := make([]int, len(ls))
	for _, i := range order {
		best := 0
		for k := 1; k < n; k++ {
			if c := cmp.Or(cmp.Compare(plan.Expected[k], plan.Expected[best]), cmp.Compare(len(plan.Shards[k]), len(plan.Shards[best]))); c < 0 {
				best = k
			}
		}
		shardOf[i] = best
		plan.Expected[best] += plan.Times[ls[i].Path]
		plan.Shards[best] = append(plan.Shards[best], ls[i]) // counted here, ordered below
	}
	for k := range plan.Shards {
		plan.Shards[k] = plan.Shards[k][:0]
	}
	for i, l := range ls {
		plan.Shards[shardOf[i]] = append(plan.Shards[shardOf[i]], l)
	}
	return plan
}

// medianTime is the median of times (0 when there are none).
func medianTime(times map[string]time.Duration) time.Duration {
	if len(times) == 0 {
		return 0
	}
	ts := make([]time.Duration, 0, len(times))
	for _, t := range times {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	m := len(ts) / 2
	if len(ts)%2 == 0 {
		return (ts[m-1] + ts[m]) / 2
	}
	return ts[m]
}

// PathKey is a lesson's path as reports of different checks are matched
// by it: absolute and clean, so that "c/a.md", "./c/a.md" and its
// absolute path are one lesson (relative paths are read from the
// current folder).
func PathKey(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return filepath.ToSlash(filepath.Clean(p))
}
