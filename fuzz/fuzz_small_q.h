/* The small questionnaire the answer-file fuzz target reads answers against, and its seed
 * generator writes templates of: three items in two areas, the four-choice scale with ja and en
 * labels, so seeds stay short and mutations reach every rule of the answer parser. */
#ifndef FUZZ_SMALL_Q_H
#define FUZZ_SMALL_Q_H

#define FUZZ_SMALL_Q_JSON                                                                          \
    "{\"id\":\"fuzz-q\",\"version\":1,"                                                            \
    "\"title\":{\"ja\":\"ファズ\",\"en\":\"Fuzz\"},"                                                \
    "\"scale\":["                                                                                  \
    "{\"code\":\"yes\",\"label\":{\"ja\":\"実施している\",\"en\":\"Implemented\"},"                 \
    "\"score_permille\":1000},"                                                                    \
    "{\"code\":\"partly\",\"label\":{\"ja\":\"一部実施\",\"en\":\"Partly implemented\"},"           \
    "\"score_permille\":500},"                                                                     \
    "{\"code\":\"no\",\"label\":{\"ja\":\"実施していない\",\"en\":\"Not implemented\"},"            \
    "\"score_permille\":0},"                                                                       \
    "{\"code\":\"na\",\"label\":{\"ja\":\"該当しない\",\"en\":\"Not applicable\"},"                 \
    "\"score_permille\":0,\"not_applicable\":true}],"                                              \
    "\"levels\":[{\"level\":1,\"name\":{\"ja\":\"基本\",\"en\":\"Basic\"}}],"                        \
    "\"areas\":[{\"id\":\"A1\",\"name\":{\"ja\":\"ルール\",\"en\":\"Rules\"}},"                      \
    "{\"id\":\"A2\",\"name\":{\"ja\":\"実践\",\"en\":\"Practice\"}}],"                               \
    "\"items\":["                                                                                  \
    "{\"id\":\"A1-01\",\"area\":\"A1\",\"level\":1,\"weight\":3,"                                  \
    "\"text\":{\"ja\":\"台帳\",\"en\":\"Register\"}},"                                              \
    "{\"id\":\"A1-02\",\"area\":\"A1\",\"level\":1,\"weight\":1,"                                  \
    "\"text\":{\"ja\":\"区分\",\"en\":\"Classes\"}},"                                               \
    "{\"id\":\"A2-01\",\"area\":\"A2\",\"level\":1,\"weight\":2,"                                  \
    "\"text\":{\"ja\":\"施錠\",\"en\":\"Locks\"}}]}"

#endif
