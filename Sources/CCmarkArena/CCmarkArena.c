#include "CCmarkArena.h"

#include <cmark.h>
#include <cmark_version.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Why an arena: a task file of 12 KB is about 1,300 cmark allocations (a node each, growing
// buffers), all freed together a moment later. glibc spends more on those than cmark spends
// parsing, and freeing them fills its fast lists, which the next large allocation must merge.

// cmark 0.26 freed one buffer from the allocator hooks with plain free() (fixed in 0.27), which
// would free a pointer inside an arena block.
_Static_assert(CMARK_VERSION >= 0x001B00, "the cmark arena needs libcmark 0.27 or later");

enum {
    alignment = 16,
    firstCapacity = 64 * 1024,
    keptLimit = 4 * 1024 * 1024,
};

/// A block of the arena. Its header is 32 bytes, so `bytes` keeps malloc's 16-byte alignment.
typedef struct Block {
    struct Block *previous;
    size_t capacity;
    size_t used;
    size_t reserved;
    unsigned char bytes[];
} Block;

/// Precedes every allocation, so that realloc knows how much to copy. 16 bytes, for alignment.
typedef struct {
    size_t size;
    size_t reserved;
} Header;

/// The block being filled on this thread; the parse's earlier blocks hang off `previous`.
static _Thread_local Block *current;

static pthread_key_t blocksKey;
static pthread_once_t blocksKeyOnce = PTHREAD_ONCE_INIT;

static void freeBlocks(void *block) {
    Block *next = block;
    while (next) {
        Block *previous = next->previous;
        free(next);
        next = previous;
    }
}

static void makeBlocksKey(void) { pthread_key_create(&blocksKey, freeBlocks); }

/// Records the thread's blocks so that they are freed when the thread ends.
static void setCurrent(Block *block) {
    current = block;
    pthread_once(&blocksKeyOnce, makeBlocksKey);
    pthread_setspecific(blocksKey, block);
}

/// cmark's own allocator aborts when memory runs out, too.
static void outOfMemory(void) {
    fputs("[cmark] out of memory, aborting\n", stderr);
    abort();
}

static size_t rounded(size_t size) { return (size + (alignment - 1)) & ~(size_t)(alignment - 1); }

static Block *newBlock(size_t capacity, Block *previous) {
    if (capacity > SIZE_MAX - sizeof(Block)) outOfMemory();
    Block *block = malloc(sizeof(Block) + capacity);
    if (!block) outOfMemory();
    block->previous = previous;
    block->capacity = capacity;
    block->used = 0;
    return block;
}

static void *allocate(size_t size) {
    if (size > SIZE_MAX / 2) outOfMemory();
    size_t need = sizeof(Header) + rounded(size);
    if (!current || current->capacity - current->used < need) {
        size_t capacity = current ? current->capacity * 2 : firstCapacity;
        setCurrent(newBlock(capacity < need ? need : capacity, current));
    }
    Header *header = (Header *)(current->bytes + current->used);
    current->used += need;
    header->size = size;
    return header + 1;
}

static void *arenaCalloc(size_t count, size_t size) {
    if (size != 0 && count > SIZE_MAX / size) outOfMemory();
    void *pointer = allocate(count * size);
    memset(pointer, 0, count * size);
    return pointer;
}

static void *arenaRealloc(void *pointer, size_t size) {
    if (!pointer) return allocate(size);
    Header *header = (Header *)pointer - 1;
    size_t had = rounded(header->size);
    if (size <= had) {
        header->size = size;
        return pointer;
    }
    // A buffer that was the last allocation grows where it is when the block has room.
    size_t grown = size > SIZE_MAX / 2 ? SIZE_MAX : rounded(size);
    if ((unsigned char *)pointer + had == current->bytes + current->used
        && grown - had <= current->capacity - current->used) {
        current->used += grown - had;
        header->size = size;
        return pointer;
    }
    void *moved = allocate(size);
    memcpy(moved, pointer, header->size);
    return moved;
}

/// Everything is released at once, by `taskrun_cmark_arena_end`.
static void arenaFree(void *pointer) { (void)pointer; }

static cmark_mem arena = {arenaCalloc, arenaRealloc, arenaFree};

void *taskrun_cmark_arena_begin(void) {
    if (current) current->used = 0;
    return &arena;
}

void taskrun_cmark_arena_end(void) {
    if (!current) return;
    if (!current->previous) {
        current->used = 0;
        return;
    }
    // The parse outgrew the first block: keep one block that holds it all next time.
    size_t total = 0;
    for (Block *block = current; block; block = block->previous) total += block->capacity;
    freeBlocks(current);
    setCurrent(total <= keptLimit ? newBlock(total, NULL) : NULL);
}
