// Posts the Terraform plans of one environment on the pull request, in full: a plan longer
// than GitHub's comment limit (65,536 characters) is split over several comments on line
// boundaries; nothing is truncated. Previous plan comments for the same environment are
// deleted first, so the PR always shows the plans of its latest commit.
//
// Used from actions/github-script:
//   const post = require('./.github/scripts/plan-comment.js');
//   await post({ github, context, core });
// Environment: PLAN_DIR (folder of <stack>.txt plans), PLAN_ENV (dev|int|prod),
// PLAN_STACKS (JSON array of the stacks that should have a plan), RUN_URL (link to the run).
'use strict';

const fs = require('fs');
const path = require('path');

const COMMENT_LIMIT = 65536;
// Room for the marker, the heading, the fences and the footer of each comment.
const OVERHEAD = 1024;

function marker(env) {
  return `<!-- terraform-plan:${env} -->`;
}

// Splits text into chunks of at most `budget` characters, on line boundaries when possible.
function splitPlan(text, budget) {
  if (budget < 1) throw new Error('budget must be positive');
  const chunks = [];
  let current = '';
  for (const line of text.split('\n')) {
    let rest = line + '\n';
    while (rest.length > 0) {
      const room = budget - current.length;
      if (rest.length <= room) {
        current += rest;
        rest = '';
      } else if (current.length > 0) {
        chunks.push(current);
        current = '';
      } else {
        chunks.push(rest.slice(0, budget)); // a single line longer than the budget
        rest = rest.slice(budget);
      }
    }
  }
  if (current.length > 0) chunks.push(current);
  const joined = chunks.join('');
  if (joined !== text + '\n') throw new Error('splitPlan lost text'); // never truncate
  if (chunks.length > 0) {
    chunks[chunks.length - 1] = chunks[chunks.length - 1].replace(/\n$/, '');
  }
  return chunks.length > 0 ? chunks : [''];
}

function fenceFor(chunk) {
  const runs = chunk.match(/`+/g) || [];
  const longest = runs.reduce((max, run) => Math.max(max, run.length), 0);
  return '`'.repeat(Math.max(3, longest + 1));
}

function summaryOf(text) {
  const match = text.match(/^(Plan: .*|No changes\..*|Changes to Outputs:.*)$/m);
  return match ? match[1] : 'see the plan below';
}

// Returns the comment bodies for one environment, each within GitHub's limit.
function buildComments(env, plans, missing, runUrl, limit = COMMENT_LIMIT) {
  const bodies = [];
  const head = marker(env);
  const budget = limit - OVERHEAD;
  if (missing.length > 0) {
    bodies.push(
      `${head}\n### Terraform plan · \`${env}\`\n\n` +
        `:warning: No plan for: ${missing.map((s) => `\`${s}\``).join(', ')} ` +
        `(the plan job failed; see [the run](${runUrl})).`,
    );
  }
  for (const { stack, text } of plans) {
    const parts = splitPlan(text, budget);
    parts.forEach((part, i) => {
      const fence = fenceFor(part);
      const partLabel = parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : '';
      const body =
        `${head}\n### Terraform plan · \`${env}\` · \`${stack}\`${partLabel}\n\n` +
        `**${summaryOf(text)}**\n\n` +
        `<details${parts.length === 1 ? '' : ' open'}><summary>Show plan</summary>\n\n` +
        `${fence}terraform\n${part}\n${fence}\n\n</details>\n\n` +
        `[Workflow run](${runUrl})`;
      if (body.length > limit) throw new Error(`comment for ${stack} exceeds ${limit}`);
      bodies.push(body);
    });
  }
  return bodies;
}

function readPlans(dir, stacks) {
  const plans = [];
  const missing = [];
  for (const stack of stacks) {
    const file = path.join(dir, `${stack}.txt`);
    if (fs.existsSync(file)) {
      plans.push({ stack, text: fs.readFileSync(file, 'utf8').replace(/\s+$/, '') });
    } else {
      missing.push(stack);
    }
  }
  return { plans, missing };
}

async function post({ github, context, core }) {
  const env = process.env.PLAN_ENV;
  const stacks = JSON.parse(process.env.PLAN_STACKS || '[]');
  const { plans, missing } = readPlans(process.env.PLAN_DIR || 'plans', stacks);
  const bodies = buildComments(env, plans, missing, process.env.RUN_URL || '');
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;

  const existing = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number,
    per_page: 100,
  });
  for (const comment of existing) {
    if (comment.user && comment.user.type === 'Bot' && (comment.body || '').startsWith(marker(env))) {
      await github.rest.issues.deleteComment({ owner, repo, comment_id: comment.id });
    }
  }
  for (const body of bodies) {
    await github.rest.issues.createComment({ owner, repo, issue_number, body });
  }
  core.info(`posted ${bodies.length} plan comment(s) for ${env}`);
  if (missing.length > 0) core.setFailed(`no plan for ${missing.join(', ')}`);
}

module.exports = post;
module.exports.splitPlan = splitPlan;
module.exports.buildComments = buildComments;
module.exports.COMMENT_LIMIT = COMMENT_LIMIT;
