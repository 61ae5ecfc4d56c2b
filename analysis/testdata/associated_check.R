# associated_check.R: SEs on a raked design whose raking margins are
# strongly associated, for analysis/rcheck_test.go.
#
#   Rscript associated_check.R RESPONSES.csv TARGETS.csv OUT.csv
#
# Rakes as survey_check.R does and writes, for every level of lot1 of the
# services below, svymean's SE (svyrecvar approximates the projection on
# the raking margins by backfitting) and the SE from the exact projection
# (lm residuals of the influence on the margins' indicators):
#   OUT.csv  service,level,share,se,se_exact
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
resp <- read.csv(args[1], colClasses = "character", check.names = FALSE, na.strings = character(0))
targets <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
n <- nrow(resp)
vars <- unique(targets$variable)
for (v in vars) resp[[v]] <- factor(resp[[v]], levels = targets$category[targets$variable == v])
if (anyNA(resp[vars])) stop("the R check needs complete raking variables")
des <- svydesign(ids = ~1, data = resp, weights = rep(1, n))
pop <- lapply(vars, function(v) {
  t <- targets[targets$variable == v, ]
  d <- data.frame(t$category, t$target / sum(t$target) * n)
  names(d) <- c(v, "Freq")
  d
})
raked <- rake(des, lapply(vars, function(v) as.formula(paste("~", v))), pop,
              control = list(maxit = 500, epsilon = 1e-13))
wt <- weights(raked)
X <- model.matrix(as.formula(paste("~", paste(vars, collapse = "+"))), resp)
rows <- list()
for (s in c("roads", "libraries", "reablement", "youth", "send")) {
  x <- resp[[paste0("lot1.", s)]]
  for (l in 1:5) {
    if (!any(x == as.character(l))) next
    y <- as.numeric(x == as.character(l))
    m <- svymean(~y, update(raked, y = y))
    r <- (y - coef(m)[[1]]) / sum(wt)
    e <- wt * resid(lm(r ~ X - 1))
    rows[[length(rows) + 1]] <- data.frame(service = s, level = l, share = coef(m)[[1]], se = SE(m)[[1]],
                                           se_exact = sqrt(n / (n - 1) * sum((e - mean(e))^2)))
  }
}
write.csv(do.call(rbind, rows), args[3], row.names = FALSE)
