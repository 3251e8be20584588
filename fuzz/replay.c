/*  =========================================================================
    replay - runs a fuzz target's LLVMFuzzerTestOneInput on committed inputs,
    without libFuzzer

    Copyright the Depot contributors. Licensed under the Apache License 2.0.
    =========================================================================
@header
    replay_<target> PATH... feeds every file named (and every file in every
    directory named) to the target once, as libFuzzer would, and prints how
    many inputs ran. Every build (gcc or clang, with or without sanitizers)
    links each target with this main, so the committed corpora, including
    every input that once crashed, are regression tests everywhere
    (ctest fuzz_corpus_*), not only where libFuzzer is installed.
@discuss
    A failing input aborts (the targets' properties abort; sanitizers
    report), so each file's name is printed on stderr before it runs.
@end
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int s_runs;

static int
s_run_file (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t capacity = 4096, size = 0;
    uint8_t *data = malloc (capacity);
    size_t got;
    while (data && (got = fread (data + size, 1, capacity - size, file)) > 0) {
        size += got;
        if (size == capacity) {
            capacity *= 2;
            uint8_t *bigger = realloc (data, capacity);
            if (!bigger)
                free (data);
            data = bigger;
        }
    }
    fclose (file);
    if (!data) {
        fprintf (stderr, "replay: out of memory reading %s\n", path);
        return -1;
    }
    //  An exact-size copy, so ASan sees any read past the input's end.
    uint8_t *exact = malloc (size ? size : 1);
    if (!exact) {
        free (data);
        return -1;
    }
    memcpy (exact, data, size);
    free (data);
    fprintf (stderr, "replay: %s\n", path);
    LLVMFuzzerTestOneInput (exact, size);
    free (exact);
    s_runs++;
    return 0;
}

static int
s_run_path (const char *path)
{
    struct stat st;
    if (stat (path, &st)) {
        fprintf (stderr, "replay: no such file or directory: %s\n", path);
        return -1;
    }
    if (!S_ISDIR (st.st_mode))
        return s_run_file (path);
    struct dirent **entries;
    int n = scandir (path, &entries, NULL, alphasort);
    if (n < 0) {
        fprintf (stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (entries [i]->d_name [0] != '.' && rc == 0) {
            char child [4096];
            snprintf (child, sizeof child, "%s/%s", path, entries [i]->d_name);
            rc = s_run_path (child);
        }
        free (entries [i]);
    }
    free (entries);
    return rc;
}

int
main (int argc, char **argv)
{
    if (argc < 2) {
        fprintf (stderr, "usage: %s FILE_OR_DIR...\n", argv [0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (s_run_path (argv [i]))
            return 1;
    if (s_runs == 0) {
        fprintf (stderr, "replay: no inputs found\n");
        return 1;
    }
    printf ("replay: %d inputs ran\n", s_runs);
    return 0;
}
