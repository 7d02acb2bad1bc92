# median per (set,name) of rate, ratio to haproxy in the same round, cpu us/conn
function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }; return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
{ rate[$1,$2,$3] = $4; cpu[$1,$2,$3] = $6; if ($3 == "haproxy") hap[$1,$2] = $4; seen[$1,$3] = 1; rounds[$1,$2] = 1; sets[$1] = 1; ld[$1] = ld[$1] " " $7 }
END {
	for (s in sets) for (k in seen) { split(k, p, SUBSEP); if (p[1] != s) continue; nm = p[2]; n = 0
		mn = 1e9; mx = 0
		for (rk in rounds) { split(rk, q, SUBSEP); if (q[1] != s || !((s, q[2], nm) in rate)) continue; n++; R[n] = rate[s,q[2],nm]; X[n] = rate[s,q[2],nm] / hap[s,q[2]]; C[n] = cpu[s,q[2],nm]; if (X[n] < mn) mn = X[n]; if (X[n] > mx) mx = X[n] }
		printf "%-6s %-8s rounds %2d  rate %6.0f  ratio %.3f (%.2f-%.2f)  cpu %5.1f us/conn\n", s, nm, n, median(R, n), median(X, n), mn, mx, median(C, n) }
}
