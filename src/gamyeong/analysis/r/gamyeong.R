# gamyeong analysis helpers for R (base R only) — the R side of gamyeong.analysis.
#
#   source("gamyeong.R")
#   s   <- gamyeong_session()                          # /workspace/outputs or $GAMYEONG_OUTPUTS
#   tab <- gamyeong_crosstab(s, df, "year", "grant_type", unit = "person_id")
#   gamyeong_save(s, "year_by_grant", tab)             # CSV (UTF-8 + BOM), evidence, results.json
#   h   <- gamyeong_histogram(s, df, "income", bins = 10, unit = "person_id")
#   gamyeong_save(s, "income_hist", h)
#
# Evidence and flags follow ACRO's rules (AI-SDC/ACRO) as the Python helpers do: threshold
# (records < safe_threshold), zeros (empty cells), nk-rule (n largest / total >= k), p-ratio
# ((total - largest - second) / largest < p), negative, and with a unit the person counts.
# The status written is what ACRO's rules would say; the export review decides.

gamyeong_rules <- function(safe_threshold = 10, safe_dof_threshold = 10, safe_nk_n = 2,
                           safe_nk_k = 0.9, safe_pratio_p = 0.1, check_missing_values = FALSE,
                           zeros_are_disclosive = TRUE) {
  list(safe_threshold = safe_threshold, safe_dof_threshold = safe_dof_threshold,
       safe_nk_n = safe_nk_n, safe_nk_k = safe_nk_k, safe_pratio_p = safe_pratio_p,
       check_missing_values = check_missing_values, zeros_are_disclosive = zeros_are_disclosive)
}

gamyeong_session <- function(outputs_dir = NULL, rules = gamyeong_rules()) {
  if (is.null(outputs_dir)) {
    outputs_dir <- Sys.getenv("GAMYEONG_OUTPUTS", "/workspace/outputs")
    if (!nzchar(outputs_dir)) outputs_dir <- "/workspace/outputs"
  }
  s <- new.env()
  s$outputs_dir <- outputs_dir
  s$rules <- rules
  s$records <- list()
  s$started <- .gy_now()
  s
}

.gy_now <- function() format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z")

.gy_acro_names <- c(threshold = "MinimumThresholdCheck", zeros = "PresenceOfZeroCheck",
                    "nk-rule" = "NKCheck", "p-ratio" = "PPercentCheck",
                    missing = "MissingCheck", dof = "MinimumDoFCheck")

# -- JSON (base R) -------------------------------------------------------------------------------

.gy_json_string <- function(x) {
  x <- gsub("\\", "\\\\", x, fixed = TRUE)
  x <- gsub("\"", "\\\"", x, fixed = TRUE)
  x <- gsub("\n", "\\n", x, fixed = TRUE)
  x <- gsub("\r", "\\r", x, fixed = TRUE)
  x <- gsub("\t", "\\t", x, fixed = TRUE)
  paste0("\"", x, "\"")
}

.gy_json <- function(x, indent = 0) {
  pad <- strrep("  ", indent + 1)
  end <- strrep("  ", indent)
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    items <- vapply(x, .gy_json, character(1), indent = indent + 1)
    if (is.null(names(x))) {
      return(paste0("[\n", paste0(pad, items, collapse = ",\n"), "\n", end, "]"))
    }
    keys <- .gy_json_string(names(x))
    return(paste0("{\n", paste0(pad, keys, ": ", items, collapse = ",\n"), "\n", end, "}"))
  }
  if (length(x) != 1) return(.gy_json(as.list(x), indent))
  if (is.na(x)) return("null")
  if (is.logical(x)) return(if (x) "true" else "false")
  if (is.numeric(x)) return(format(x, digits = 15, scientific = FALSE, trim = TRUE))
  .gy_json_string(as.character(x))
}

.gy_write_atomic <- function(path, bytes) {
  dir.create(dirname(path), recursive = TRUE, showWarnings = FALSE)
  tmp <- tempfile(pattern = paste0(".", basename(path), "."), tmpdir = dirname(path))
  con <- file(tmp, "wb")
  writeBin(bytes, con)
  close(con)
  Sys.chmod(tmp, "0644")
  if (!file.rename(tmp, path)) stop("could not write ", path)
}

.gy_csv_bytes <- function(frame) {
  con <- textConnection("gy_csv_text", "w", local = TRUE)
  utils::write.csv(frame, con, row.names = FALSE, na = "", fileEncoding = "")
  close(con)
  text <- paste0(paste(enc2utf8(gy_csv_text), collapse = "\n"), "\n")
  c(as.raw(c(0xef, 0xbb, 0xbf)), charToRaw(enc2utf8(text)))
}

.gy_digest <- function(path) {
  tools_ns <- asNamespace("tools")
  if (exists("sha256sum", envir = tools_ns)) {
    return(list(key = "sha256", value = unname(get("sha256sum", envir = tools_ns)(path))))
  }
  list(key = "md5", value = unname(tools::md5sum(path)))
}

# -- evidence ------------------------------------------------------------------------------------

.gy_levels <- function(x) if (is.factor(x)) levels(x) else sort(unique(x[!is.na(x)]))

.gy_top <- function(v, i) {
  v <- sort(v[!is.na(v)], decreasing = TRUE)
  if (length(v) >= i) v[i] else NA_real_
}

.gy_topn <- function(v, n) {
  v <- sort(v[!is.na(v)], decreasing = TRUE)
  sum(utils::head(v, n))
}

.gy_flags_text <- function(flags) {
  text <- apply(flags, 1, function(row) paste0(names(row)[row], "; ", collapse = ""))
  text[!apply(flags, 1, any)] <- "ok"
  text
}

gamyeong_crosstab <- function(session, data, index, columns = NULL, values = NULL,
                              aggfunc = NULL, unit = NULL) {
  if (is.null(values) != is.null(aggfunc)) stop("values and aggfunc go together")
  if (!is.null(aggfunc) && !aggfunc %in% c("sum", "mean")) stop("aggfunc: sum or mean")
  rules <- session$rules
  keys <- c(index, columns)
  missing_cols <- setdiff(c(keys, values, unit), names(data))
  if (length(missing_cols)) stop("column(s) not in the data: ", paste(missing_cols, collapse = ", "))
  complete <- stats::complete.cases(data[keys])
  data <- data[complete, , drop = FALSE]
  grid <- expand.grid(lapply(data[keys], .gy_levels), KEEP.OUT.ATTRS = FALSE,
                      stringsAsFactors = FALSE)
  grid <- grid[do.call(order, unname(lapply(keys, function(k) match(grid[[k]], .gy_levels(data[[k]]))))), , drop = FALSE]
  cell <- interaction(lapply(data[keys], function(x) factor(x, levels = .gy_levels(x))),
                      drop = FALSE, lex.order = TRUE)
  grid_cell <- interaction(lapply(keys, function(k) factor(grid[[k]], levels = .gy_levels(data[[k]]))),
                           drop = FALSE, lex.order = TRUE)
  pos <- match(as.character(grid_cell), levels(cell))
  n_records <- as.vector(table(cell))[pos]
  ev <- data.frame(grid, n_records = n_records, check.names = FALSE)
  if (!is.null(unit)) {
    persons <- tapply(data[[unit]], cell, function(u) length(unique(u[!is.na(u)])))
    ev$n_persons <- ifelse(is.na(persons[pos]), 0L, as.integer(persons[pos]))
  }
  applicable <- c("threshold", if (is.null(values)) "zeros")
  if (!is.null(values)) {
    v <- as.numeric(data[[values]])
    sums <- tapply(v, cell, function(x) sum(x, na.rm = TRUE))[pos]
    ev$n_values <- as.vector(tapply(v, cell, function(x) sum(!is.na(x))))[pos]
    ev$n_missing <- as.vector(tapply(v, cell, function(x) sum(is.na(x))))[pos]
    ev$n_negative <- as.vector(tapply(v, cell, function(x) sum(x < 0, na.rm = TRUE)))[pos]
    ev$sum <- ifelse(is.na(sums), 0, sums)
    ev$top1 <- as.vector(tapply(v, cell, .gy_top, i = 1))[pos]
    ev$top2 <- as.vector(tapply(v, cell, .gy_top, i = 2))[pos]
    ev$topn_sum <- as.vector(tapply(v, cell, .gy_topn, n = rules$safe_nk_n))[pos]
    ev$stat <- if (aggfunc == "sum") ev$sum else ifelse(ev$n_values > 0, ev$sum / ev$n_values, NA)
    for (k in c("n_values", "n_missing", "n_negative")) ev[[k]][is.na(ev[[k]])] <- 0L
    ev$nk_share <- ifelse(ev$sum > 0, ev$topn_sum / ev$sum, NA)
    rest <- ev$sum - ev$top1 - ifelse(is.na(ev$top2), 0, ev$top2)
    ev$p_ratio <- ifelse(!is.na(ev$top1) & ev$top1 == 0, rest, rest / ev$top1)
    applicable <- c(applicable, "nk-rule", "p-ratio", if (rules$check_missing_values) "missing", "negative")
  } else {
    ev$stat <- ev$n_records
  }
  flags <- data.frame(row.names = seq_len(nrow(ev)))
  flags$threshold <- ev$n_records < rules$safe_threshold
  if ("zeros" %in% applicable) flags$zeros <- rules$zeros_are_disclosive & ev$n_records == 0
  if (!is.null(values)) {
    if (any(ev$n_negative > 0)) {
      flags[["nk-rule"]] <- ev$n_negative > 0
      flags[["p-ratio"]] <- ev$n_negative > 0
    } else {
      flags[["nk-rule"]] <- !is.na(ev$nk_share) & ev$nk_share >= rules$safe_nk_k
      flags[["p-ratio"]] <- ifelse(is.na(ev$p_ratio), 1, ev$p_ratio) < rules$safe_pratio_p
    }
    if (rules$check_missing_values) flags$missing <- ev$n_missing > 0 | ev$n_records == 0
    flags$negative <- ev$n_negative > 0
  }
  if (!is.null(unit)) {
    applicable <- c(applicable, "threshold-persons")
    flags[["threshold-persons"]] <- ev$n_persons < rules$safe_threshold
  }
  flags <- flags[applicable]
  # wide table: rows = index combinations, columns = column combinations (pandas' layout)
  row_id <- interaction(lapply(index, function(k) factor(ev[[k]], levels = .gy_levels(data[[k]]))),
                        drop = TRUE, lex.order = TRUE)
  col_id <- if (length(columns)) {
    interaction(lapply(columns, function(k) factor(ev[[k]], levels = .gy_levels(data[[k]]))),
                drop = TRUE, lex.order = TRUE, sep = " / ")
  } else factor(rep(if (is.null(values)) "count" else values, nrow(ev)))
  ev$row_pos <- as.integer(row_id) - 1L
  ev$col_pos <- as.integer(col_id) - 1L
  wide <- unique(ev[index])
  for (j in levels(col_id)) wide[[j]] <- ev$stat[col_id == j]
  rownames(wide) <- NULL
  counts <- vapply(names(flags), function(c) sum(flags[[c]], na.rm = TRUE), numeric(1))
  acro <- intersect(names(counts), names(.gy_acro_names))
  negative <- !is.null(values) && any(ev$n_negative > 0)
  fails <- counts[setdiff(acro, c(if (negative) c("nk-rule", "p-ratio"), "missing"))]
  status <- if (any(fails > 0)) "fail" else if (negative || isTRUE(counts["missing"] > 0)) "review" else "pass"
  for (c in names(flags)) ev[[paste0("flag_", gsub("-", "_", c))]] <- flags[[c]]
  outcome <- .gy_flags_text(as.matrix(flags))
  structure(list(type = "table", method = "crosstab", table = wide, cells = ev, flags = flags,
                 outcome = outcome, status = status, counts = counts,
                 col_labels = levels(col_id), row_labels = as.character(levels(row_id)),
                 properties = list(method = "crosstab", index = as.list(index),
                                   columns = as.list(columns), values = values,
                                   aggfunc = if (is.null(aggfunc)) "count" else aggfunc,
                                   unit = unit),
                 evidence = list(n_cells = nrow(ev), rows_in = length(complete),
                                 rows_missing_key = sum(!complete),
                                 min_records = min(ev$n_records), unit = unit),
                 command = paste(deparse(sys.call()), collapse = " ")),
            class = "gamyeong_result")
}

gamyeong_histogram <- function(session, data, column, bins = 10, unit = NULL) {
  rules <- session$rules
  x <- as.numeric(data[[column]])
  present <- !is.na(x)
  edges <- if (length(bins) == 1) {
    lo <- min(x[present]); hi <- max(x[present])
    if (lo == hi) { lo <- lo - 0.5; hi <- hi + 0.5 }
    seq(lo, hi, length.out = bins + 1)
  } else sort(bins)
  n_bins <- length(edges) - 1
  bin <- findInterval(x, edges, rightmost.closed = TRUE)
  inside <- present & bin >= 1 & bin <= n_bins
  f <- factor(bin[inside], levels = seq_len(n_bins))
  counts <- as.vector(table(f))
  ev <- data.frame(bin = seq_len(n_bins) - 1L, left = edges[-length(edges)], right = edges[-1],
                   n_records = counts)
  flags <- data.frame(threshold = counts < rules$safe_threshold,
                      zeros = rules$zeros_are_disclosive & counts == 0)
  if (!is.null(unit)) {
    u <- data[[unit]][inside]
    ev$n_persons <- as.vector(tapply(u, f, function(v) length(unique(v[!is.na(v)]))))
    ev$n_persons[is.na(ev$n_persons)] <- 0L
    flags[["threshold-persons"]] <- ev$n_persons < rules$safe_threshold
  }
  labels <- sprintf("[%s, %s%s", format(ev$left, trim = TRUE), format(ev$right, trim = TRUE),
                    ifelse(seq_len(n_bins) == n_bins, "]", ")"))
  for (c in names(flags)) ev[[paste0("flag_", gsub("-", "_", c))]] <- flags[[c]]
  cnt <- vapply(names(flags), function(c) sum(flags[[c]]), numeric(1))
  structure(list(type = "histogram", method = "histogram",
                 table = data.frame(bin = labels, left = ev$left, right = ev$right, count = counts),
                 cells = ev, flags = flags, outcome = .gy_flags_text(as.matrix(flags)),
                 status = if (cnt[["threshold"]] > 0) "fail" else "pass", counts = cnt,
                 col_labels = "count", row_labels = labels, row_pos = seq_len(n_bins) - 1L,
                 properties = list(method = "histogram", column = column, bins = n_bins, unit = unit),
                 evidence = list(n_bins = n_bins, n_values = sum(present), n_missing = sum(!present),
                                 n_outside_range = sum(present & !inside),
                                 edges_from_data = length(bins) == 1, unit = unit),
                 command = paste(deparse(sys.call()), collapse = " ")),
            class = "gamyeong_result")
}

.gy_sdc <- function(result) {
  cells <- result$cells
  col_pos <- if (is.null(cells$col_pos)) rep(0L, nrow(cells)) else cells$col_pos
  row_pos <- if (is.null(cells$row_pos)) cells$bin else cells$row_pos
  positions <- lapply(names(result$flags), function(c) {
    hit <- which(result$flags[[c]])
    hit <- hit[order(row_pos[hit], col_pos[hit])]
    lapply(hit, function(i) list(row_pos[i], col_pos[i]))
  })
  names(positions) <- names(result$flags)
  list(summary = c(list(suppressed = FALSE), as.list(result$counts)), cells = positions)
}

.gy_outcome <- function(result) {
  cells <- result$cells
  col_pos <- if (is.null(cells$col_pos)) rep(0L, nrow(cells)) else cells$col_pos
  out <- lapply(seq_along(result$col_labels) - 1L, function(j) {
    keep <- which(col_pos == j)
    row_pos <- if (is.null(cells$row_pos)) cells$bin else cells$row_pos
    keep <- keep[order(row_pos[keep])]
    setNames(as.list(result$outcome[keep]), result$row_labels)
  })
  setNames(out, result$col_labels)
}

.gy_record_json <- function(session, uid, rec) {
  result <- rec$result
  sdc <- .gy_sdc(result)
  list(uid = uid, status = result$status, type = result$type, properties = result$properties,
       files = lapply(rec$files, function(f) c(list(name = f$name, sdc = sdc), f$digest)),
       outcome = .gy_outcome(result), command = result$command,
       summary = paste(c(result$status, sprintf("%s: %d cells may need suppressing",
                                                 names(result$counts), as.integer(result$counts))[result$counts > 0]),
                       collapse = "; "),
       timestamp = rec$timestamp, comments = as.list(rec$comments), exception = "",
       gamyeong = list(saved = length(rec$files) > 0, script = NULL, line = NULL,
                       rules = session$rules,
                       checks = setNames(lapply(names(result$counts), function(c) list(
                         cells = as.integer(result$counts[[c]]),
                         acro_name = if (c %in% names(.gy_acro_names)) .gy_acro_names[[c]] else NULL)),
                         names(result$counts)),
                       sdc = sdc, evidence = result$evidence,
                       evidence_files = lapply(rec$evidence_files, function(f) c(list(name = f$name), f$digest))))
}

gamyeong_finalise <- function(session) {
  results <- lapply(names(session$records), function(uid) .gy_record_json(session, uid, session$records[[uid]]))
  names(results) <- names(session$records)
  doc <- list(version = "0.1.0",
              tool = list("@type" = "SoftwareApplication", name = "gamyeong.analysis (R)", version = "0.1.0"),
              results = if (length(results)) results else setNames(list(), character(0)),
              gamyeong = list(format = 1L, started = session$started, finalised = .gy_now(),
                              rules = session$rules, evidence_dir = "_evidence",
                              acro_check_names = as.list(.gy_acro_names)))
  path <- file.path(session$outputs_dir, "results.json")
  .gy_write_atomic(path, charToRaw(enc2utf8(paste0(.gy_json(doc), "\n"))))
  invisible(path)
}

gamyeong_save <- function(session, name, result, comment = NULL) {
  if (!grepl("^[[:alnum:]][[:alnum:]_.-]{0,99}$", name) || grepl("..", name, fixed = TRUE)) {
    stop("output name: letters, digits, '_', '.', '-', starting with a letter or digit")
  }
  if (!is.null(session$records[[name]])) stop("an output named ", name, " already exists")
  write_one <- function(relative, bytes) {
    path <- file.path(session$outputs_dir, relative)
    .gy_write_atomic(path, bytes)
    list(name = relative, digest = setNames(list(.gy_digest(path)$value), .gy_digest(path)$key))
  }
  files <- list(write_one(paste0(name, ".csv"), .gy_csv_bytes(result$table)))
  evidence <- list(write_one(file.path("_evidence", paste0(name, ".evidence.csv")),
                             .gy_csv_bytes(result$cells)))
  session$records[[name]] <- list(result = result, files = files, evidence_files = evidence,
                                  timestamp = .gy_now(), comments = if (is.null(comment)) list() else list(comment))
  gamyeong_finalise(session)
  invisible(file.path(session$outputs_dir, c(files[[1]]$name, evidence[[1]]$name)))
}
