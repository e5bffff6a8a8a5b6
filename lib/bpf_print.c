/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bpf_print.c - disassembler and program export (raw, C, hex).
 *
 * The listing names every opcode classic BPF knows (also those seccomp
 * refuses, so that a rejected program still reads well), loads by their
 * struct seccomp_data field, jump targets as absolute indexes, returned
 * values as actions and, after a load of the arch field, AUDIT_ARCH
 * constants by ABI name.
 */
#include "base.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum operand {
	OPND_NONE, /* tax, txa, neg */
	OPND_ABS,  /* a seccomp_data field */
	OPND_IND,  /* [x + k] */
	OPND_MSH,  /* 4 * ([k] & 0xf) */
	OPND_IMM,  /* #k */
	OPND_MEM,  /* M[k] */
	OPND_LEN,  /* #len */
	OPND_K,	   /* #k (ALU) */
	OPND_X,	   /* x (ALU) */
	OPND_JA,   /* absolute target */
	OPND_JK,   /* #k, jt, jf */
	OPND_JX,   /* x, jt, jf */
	OPND_RETK, /* an action */
	OPND_RETA, /* a */
};

/* Every opcode of classic BPF (the kernel's chk_code_allowed list). */
struct insn_fmt {
	uint16_t code;
	const char *mnemonic;
	enum operand opnd;
};

/* Each ALU operation and each conditional jump comes in two forms: with
 * the constant k and with the register x. */
/* clang-format off */
#define KX(c, name, k, x) {(c) | BPF_K, name, k}, {(c) | BPF_X, name, x}
/* clang-format on */
#define ALU_KX(op, name) KX(BPF_ALU | BPF_##op, name, OPND_K, OPND_X)
#define JMP_KX(op, name) KX(BPF_JMP | BPF_##op, name, OPND_JK, OPND_JX)

static const struct insn_fmt insn_fmts[] = {
    {BPF_LD | BPF_W | BPF_ABS, "lda", OPND_ABS},
    {BPF_LD | BPF_H | BPF_ABS, "ldh", OPND_ABS},
    {BPF_LD | BPF_B | BPF_ABS, "ldb", OPND_ABS},
    {BPF_LD | BPF_W | BPF_IND, "lda", OPND_IND},
    {BPF_LD | BPF_H | BPF_IND, "ldh", OPND_IND},
    {BPF_LD | BPF_B | BPF_IND, "ldb", OPND_IND},
    {BPF_LD | BPF_W | BPF_LEN, "lda", OPND_LEN},
    {BPF_LD | BPF_IMM, "lda", OPND_IMM},
    {BPF_LD | BPF_MEM, "lda", OPND_MEM},
    {BPF_LDX | BPF_W | BPF_LEN, "ldx", OPND_LEN},
    {BPF_LDX | BPF_B | BPF_MSH, "ldx", OPND_MSH},
    {BPF_LDX | BPF_IMM, "ldx", OPND_IMM},
    {BPF_LDX | BPF_MEM, "ldx", OPND_MEM},
    {BPF_ST, "st", OPND_MEM},
    {BPF_STX, "stx", OPND_MEM},
    /* the two-form operations as a grid: */
    /* clang-format off */
    ALU_KX(ADD, "add"), ALU_KX(SUB, "sub"), ALU_KX(MUL, "mul"),
    ALU_KX(DIV, "div"), ALU_KX(MOD, "mod"), ALU_KX(AND, "and"),
    ALU_KX(OR, "or"),   ALU_KX(XOR, "xor"), ALU_KX(LSH, "lsh"),
    ALU_KX(RSH, "rsh"),
    /* clang-format on */
    {BPF_ALU | BPF_NEG, "neg", OPND_NONE},
    {BPF_JMP | BPF_JA, "ja", OPND_JA},
    /* clang-format off */
    JMP_KX(JEQ, "jeq"), JMP_KX(JGT, "jgt"), JMP_KX(JGE, "jge"),
    JMP_KX(JSET, "jset"),
    /* clang-format on */
    {BPF_RET | BPF_K, "ret", OPND_RETK},
    {BPF_RET | BPF_A, "ret", OPND_RETA},
    {BPF_MISC | BPF_TAX, "tax", OPND_NONE},
    {BPF_MISC | BPF_TXA, "txa", OPND_NONE},
};

static const struct insn_fmt *insn_fmt(uint16_t code)
{
	for (size_t i = 0; i < CF_ARRAY_SIZE(insn_fmts); i++)
		if (insn_fmts[i].code == code)
			return &insn_fmts[i];
	return NULL;
}

/* Which half of a 64-bit field a word at offset k is: the kernel fills
 * seccomp_data in host byte order. */
static const char *half(uint32_t k)
{
	bool second = k & 4;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return second ? "lo" : "hi";
#else
	return second ? "hi" : "lo";
#endif
}

/* "nr", "arch", "args[2].lo", ... for a load offset. */
static void field_name(uint32_t k, char *buf, size_t size)
{
	const uint32_t ip = offsetof(struct seccomp_data, instruction_pointer);
	const uint32_t args = offsetof(struct seccomp_data, args);

	if (k & 3 || k >= sizeof(struct seccomp_data))
		snprintf(buf, size, "[%u]", k);
	else if (k == offsetof(struct seccomp_data, nr))
		snprintf(buf, size, "nr");
	else if (k == offsetof(struct seccomp_data, arch))
		snprintf(buf, size, "arch");
	else if (k < args)
		snprintf(buf, size, "instruction_pointer.%s", half(k - ip));
	else
		snprintf(buf, size, "args[%u].%s", (k - args) / 8,
			 half(k - args));
}

static const char *arch_name(uint32_t k)
{
	for (int i = 0; i < cf_abi_count(); i++)
		if (cf_abi_audit_arch(i) == k)
			return cf_abi_name(i);
	return NULL;
}

static void jump_text(const struct sock_filter *in, size_t pc, const char *src,
		      bool arch_loaded, char *buf, size_t size)
{
	const char *an = arch_loaded ? arch_name(in->k) : NULL;

	snprintf(buf, size, "%s, %zu, %zu%s%s", src, pc + 1 + in->jt,
		 pc + 1 + in->jf, an ? "   ; " : "", an ? an : "");
}

/* The operand text of in at pc. arch_loaded: the accumulator holds
 * seccomp_data.arch (a constant compared with it is named as an ABI). */
static void operand_text(const struct sock_filter *in, enum operand opnd,
			 size_t pc, bool arch_loaded, char *buf, size_t size)
{
	char k[24];

	snprintf(k, sizeof(k), "#0x%x", in->k);
	switch (opnd) {
	case OPND_NONE:
		buf[0] = 0;
		break;
	case OPND_ABS:
		field_name(in->k, buf, size);
		break;
	case OPND_IND:
		snprintf(buf, size, "[x + %u]", in->k);
		break;
	case OPND_MSH:
		snprintf(buf, size, "4 * ([%u] & 0xf)", in->k);
		break;
	case OPND_IMM:
	case OPND_K:
		snprintf(buf, size, "%s", k);
		break;
	case OPND_MEM:
		snprintf(buf, size, "M[%u]", in->k);
		break;
	case OPND_LEN:
		snprintf(buf, size, "#len");
		break;
	case OPND_X:
		snprintf(buf, size, "x");
		break;
	case OPND_JA:
		snprintf(buf, size, "%zu", pc + 1 + (size_t)in->k);
		break;
	case OPND_JK:
		jump_text(in, pc, k, arch_loaded, buf, size);
		break;
	case OPND_JX:
		jump_text(in, pc, "x", false, buf, size);
		break;
	case OPND_RETK:
		cf_action_str(in->k, buf, size);
		break;
	case OPND_RETA:
		snprintf(buf, size, "a");
		break;
	}
}

static void insn_text(const struct sock_filter *in, size_t pc, bool arch_loaded,
		      char *buf, size_t size)
{
	const struct insn_fmt *f = insn_fmt(in->code);
	char opnd[96];

	if (!f) {
		snprintf(buf, size, "???  code=0x%04x jt=%u jf=%u k=0x%x",
			 in->code, in->jt, in->jf, in->k);
		return;
	}
	operand_text(in, f->opnd, pc, arch_loaded, opnd, sizeof(opnd));
	if (opnd[0])
		snprintf(buf, size, "%-4s %s", f->mnemonic, opnd);
	else
		snprintf(buf, size, "%s", f->mnemonic);
}

/* Does the accumulator hold seccomp_data.arch after in (before: it did
 * before in)? Followed along the listing, not along jumps. */
static bool loads_arch(const struct sock_filter *in, bool before)
{
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
		return in->code == (BPF_LD | BPF_W | BPF_ABS) &&
		       in->k == offsetof(struct seccomp_data, arch);
	case BPF_ALU:
		return false;
	case BPF_MISC:
		return in->code == (BPF_MISC | BPF_TXA) ? false : before;
	default:
		return before;
	}
}

int cf_bpf_disasm(const struct sock_filter *insns, size_t len, FILE *out)
{
	char text[160];
	bool arch = false;

	for (size_t pc = 0; pc < len; pc++) {
		insn_text(&insns[pc], pc, arch, text, sizeof(text));
		arch = loads_arch(&insns[pc], arch);
		if (fprintf(out, "%4zu: %s\n", pc, text) < 0)
			return -EIO;
	}
	return 0;
}

static bool write_c(const struct sock_filter *insns, size_t len, FILE *out)
{
	char text[160];
	bool arch = false, bad;

	bad = fprintf(out,
		      "/* callfence: %zu instructions; struct sock_filter "
		      "is in <linux/filter.h> */\n"
		      "static const struct sock_filter filter[] = {\n",
		      len) < 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &insns[pc];

		insn_text(in, pc, arch, text, sizeof(text));
		arch = loads_arch(in, arch);
		bad |=
		    fprintf(out,
			    "\t{ 0x%04x, %3u, %3u, 0x%08x }, /* %4zu: %s */\n",
			    in->code, in->jt, in->jf, in->k, pc, text) < 0;
	}
	return bad | (fprintf(out, "};\n") < 0);
}

static bool write_hex(const struct sock_filter *insns, size_t len, FILE *out)
{
	bool bad = false;

	for (size_t pc = 0; pc < len; pc++)
		bad |= fprintf(out, "%04x %02x %02x %08x\n", insns[pc].code,
			       insns[pc].jt, insns[pc].jf, insns[pc].k) < 0;
	return bad;
}

int cf_bpf_write(const struct sock_filter *insns, size_t len,
		 enum cf_bpf_format fmt, FILE *out, struct cf_error *err)
{
	bool bad;

	switch (fmt) {
	case CF_BPF_RAW:
		bad = len && fwrite(insns, sizeof(*insns), len, out) != len;
		break;
	case CF_BPF_C:
		bad = write_c(insns, len, out);
		break;
	case CF_BPF_HEX:
		bad = write_hex(insns, len, out);
		break;
	default:
		return cf_err(err, -EINVAL, "unknown output format %d",
			      (int)fmt);
	}
	if (bad || fflush(out))
		return cf_err(err, -EIO, "cannot write the program");
	return 0;
}

int cf_bpf_read_raw(const void *buf, size_t len, struct sock_filter **out,
		    size_t *n, struct cf_error *err)
{
	const size_t isz = sizeof(struct sock_filter);

	*out = NULL;
	*n = 0;
	if (len % isz)
		return cf_err(err, -EINVAL,
			      "size %zu is not a multiple of %zu (not a raw "
			      "struct sock_filter array)",
			      len, isz);
	if (len == 0 || len / isz > CF_BPF_MAXINSNS)
		return cf_err(err, -EINVAL,
			      "%zu instructions (a program has 1 to %d)",
			      len / isz, CF_BPF_MAXINSNS);
	*out = malloc(len);
	if (!*out)
		return cf_err(err, -ENOMEM, "out of memory");
	memcpy(*out, buf, len);
	*n = len / isz;
	return 0;
}
