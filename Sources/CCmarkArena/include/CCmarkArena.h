#ifndef TASKRUN_CMARK_ARENA_H
#define TASKRUN_CMARK_ARENA_H

#if !defined(__clang__) && !defined(_Nonnull)
#define _Nonnull
#endif

/// An arena for cmark: one parse at a time per thread allocates its nodes and buffers by bumping
/// a pointer in blocks the thread keeps, instead of one `calloc` and one `free` each, and
/// everything is released at once by `taskrun_cmark_arena_end`.
///
/// Returns the arena's `cmark_mem *` (as `void *`, so this header does not include cmark.h) for
/// `cmark_parser_new_with_mem`. Every node and buffer of that parse is valid until
/// `taskrun_cmark_arena_end` on the same thread; freeing them (`cmark_node_free`) is allowed and
/// does nothing. Calls must pair on one thread and not nest.
void *_Nonnull taskrun_cmark_arena_begin(void);

/// Releases everything allocated since `taskrun_cmark_arena_begin` on this thread. The thread
/// keeps one block the size of what the parse used (up to 4 MiB) for its next parse, freed when
/// the thread ends.
void taskrun_cmark_arena_end(void);

#endif
