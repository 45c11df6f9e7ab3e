/* qsort/bsearch, setjmp/longjmp, and libm against known values. */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SORT_N 2000

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

struct named {
    char name[8];
    int id;
};

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static void sort_search(void)
{
    static int v[SORT_N];
    long long sum = 0, sorted_sum = 0;
    for (int i = 0; i < SORT_N; i++) {
        v[i] = (int)(test_rand() % 100000) - 50000;
        sum += v[i];
    }
    v[7] = v[8] = v[9]; /* duplicates */
    sum = 0;
    for (int i = 0; i < SORT_N; i++)
        sum += v[i];
    qsort(v, SORT_N, sizeof(v[0]), cmp_int);
    bool ordered = true;
    for (int i = 0; i < SORT_N; i++) {
        sorted_sum += v[i];
        if (i && v[i - 1] > v[i])
            ordered = false;
    }
    check("qsort-ints", ordered && sum == sorted_sum, "ordered=%d sum %lld vs %lld", ordered, sum,
          sorted_sum);

    int found = 0;
    for (int i = 0; i < SORT_N; i++) {
        int *p = bsearch(&v[i], v, SORT_N, sizeof(v[0]), cmp_int);
        found += p && *p == v[i];
    }
    int missing = 100001;
    check("bsearch", found == SORT_N && !bsearch(&missing, v, SORT_N, sizeof(v[0]), cmp_int),
          "found %d of %d", found, SORT_N);

    struct named items[] = {{"pear", 1}, {"apple", 2}, {"fig", 3}, {"kiwi", 4}, {"date", 5}};
    qsort(items, 5, sizeof(items[0]), cmp_named);
    struct named key = {"kiwi", 0};
    struct named *hit = bsearch(&key, items, 5, sizeof(items[0]), cmp_named);
    check("qsort-structs",
          strcmp(items[0].name, "apple") == 0 && strcmp(items[4].name, "pear") == 0 && hit &&
              hit->id == 4,
          "first %s last %s", items[0].name, items[4].name);
}

static jmp_buf env;
static int depth_reached;

static void dive(int depth)
{
    char pad[256]; /* a few real frames between setjmp and longjmp */
    memset(pad, depth, sizeof(pad));
    depth_reached = depth;
    if (depth == 10)
        longjmp(env, 42 + pad[0] - 10);
    if (depth < 10) /* (a way out, or gcc calls the recursion infinite) */
        dive(depth + 1);
}

static void jumps(void)
{
    volatile int counter = 0;
    int rc = setjmp(env);
    if (rc == 0) {
        counter = 5;
        dive(0);
    }
    check("setjmp-longjmp", rc == 42 && counter == 5 && depth_reached == 10,
          "rc=%d counter=%d depth=%d", rc, counter, depth_reached);

    static jmp_buf zero;
    volatile int passes = 0;
    rc = setjmp(zero);
    passes++;
    if (passes == 1)
        longjmp(zero, 0); /* must come back as 1 */
    check("longjmp-zero", rc == 1 && passes == 2, "rc=%d passes=%d", rc, passes);
}

static bool near(double got, double want)
{
    double tol = 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);
    return fabs(got - want) <= tol;
}

#define CHECK_MATH(name, expr, want)                                                               \
    do {                                                                                           \
        double got_ = (expr);                                                                      \
        check(name, near(got_, (want)), #expr " = %.17g, want %.17g", got_, (double)(want));       \
    } while (0)

static void math(void)
{
    volatile double x = 0.5; /* keep gcc from folding everything */
    CHECK_MATH("math-sin", sin(M_PI / 6), 0.5);
    CHECK_MATH("math-cos", cos(M_PI / 3), 0.5);
    CHECK_MATH("math-tan", tan(M_PI / 4), 1.0);
    CHECK_MATH("math-exp", exp(1.0 * x * 2), M_E);
    CHECK_MATH("math-log", log(M_E * x * 2), 1.0);
    CHECK_MATH("math-log10", log10(1000.0 * x * 2), 3.0);
    CHECK_MATH("math-pow", pow(2.0, 10.0 * x * 2), 1024.0);
    CHECK_MATH("math-pow-frac", pow(2.0, x), M_SQRT2);
    CHECK_MATH("math-sqrt", sqrt(2.0 * x * 2), M_SQRT2);
    CHECK_MATH("math-atan2", atan2(1.0, x * 2), M_PI / 4);
    CHECK_MATH("math-cbrt", cbrt(27.0 * x * 2), 3.0);
    CHECK_MATH("math-tanh", tanh(x), 0.46211715726000974);
    CHECK_MATH("math-fmod", fmod(10.5 * x * 2, 3.0), 1.5);
    check("math-rounding",
          floor(-x) == -1.0 && ceil(x) == 1.0 && round(2.5 * x * 2) == 3.0 &&
              trunc(-1.7 * x * 2) == -1.0 && lrint(x * 3) == 2,
          "floor/ceil/round/trunc/lrint wrong");
    check("math-special",
          isnan(sqrt(-x)) && isinf(log(x - x)) && log(x - x) < 0 && pow(x - x, x - x) == 1.0,
          "special values wrong");
    float xf = (float)x;
    check("math-float",
          fabsf(sinf(xf) - 0.47942554f) < 1e-6f && fabsf(expf(xf) - 1.6487213f) < 1e-6f,
          "sinf/expf wrong");
}

void test_algo(void)
{
    sort_search();
    jumps();
    math();
}
