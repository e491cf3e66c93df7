# twocommits.sh, sourced by compare.sh, cnncompare.sh and products.sh with
# the two commits as its arguments, builds the tests of package $pkg (in
# the module at folder $dir of the repository, . by default) at each of
# them, in a temporary worktree, as $tmp/a.test and $tmp/b.test, and sets
# names to the two commits. The worktrees and $tmp are removed when the
# script exits.
tmp=$(mktemp -d)
trap 'for r in a b; do git worktree remove --force "$tmp/$r" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

names=("$1" "$2")
for i in 0 1; do
	r=$([ $i -eq 0 ] && echo a || echo b)
	echo "building ${names[$i]}..." >&2
	git worktree add -q --detach "$tmp/$r" "${names[$i]}"
	(cd "$tmp/$r/${dir:-.}" && go test -c -o "$tmp/$r.test" "$pkg")
done

# order prints the order in which round $1 runs the two builds: a then b
# in odd rounds, b then a in even ones, so that whatever going first or
# second does to a run falls on both builds alike.
order() { if [ $(($1 % 2)) -eq 1 ]; then echo a b; else echo b a; fi; }
