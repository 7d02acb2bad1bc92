# median over rounds of A/B for given pairs: awk -v pairs="uring1/epoll1 ..." 
function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }; return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
{ rate[$1 " " $2, $3] = $4; rk[$1 " " $2] = 1 }
END { np = split(pairs, P, " "); for (i = 1; i <= np; i++) { split(P[i], ab, "/"); n = 0; mn = 9; mx = 0
  for (k in rk) if ((k, ab[1]) in rate && (k, ab[2]) in rate) { n++; X[n] = rate[k, ab[1]] / rate[k, ab[2]]; if (X[n] < mn) mn = X[n]; if (X[n] > mx) mx = X[n] }
  printf "%-16s rounds %2d median %.3f (%.2f-%.2f)\n", P[i], n, median(X, n), mn, mx } }
